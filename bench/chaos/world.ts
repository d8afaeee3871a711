import { Redis } from 'ioredis';
import { RedisSubscriptionStore } from '../../src/subscriptions/redis-subscription-store.js';
import { FAKE_APPLICATION_ID, FAKE_TOKEN, FakeDiscord } from '../../tests/fakes/discord/fake-discord.js';
import { FakeSlack } from '../../tests/fakes/slack/fake-slack.js';
import { atomWithEntries } from '../../tests/helpers/cli.js';
import { startFeedServer, type FeedServer } from '../../tests/helpers/feed-server.js';
import { FIXTURES, readFixture } from '../../tests/helpers/fixtures.js';
import { PrivateRedis } from '../../tests/helpers/private-redis.js';
import { BotProcesses, waitFor, type BotProcess } from '../../tests/helpers/processes.js';

// One chaos run's world: a private redis-server (AOF, fsync always: never the shared 6379), the feed, a fake
// Discord and a fake Slack, and the bot as an operator runs it: one poller and two worker processes.

const ATOM = readFixture(FIXTURES.bloggerAtom);
const FEED_PATH = '/chaos/feeds/posts/default';
const SLACK_TOKEN = 'xoxb-chaos';
const SLACK_TEAM = 'TCHAOS';
const POST_URL = /fresh-news-(\d+)\.html/;

/** The size of a run. */
export interface WorldSize {
  discordChannels: number;
  slackChannels: number;
}

/** One delivery target as the fakes name it. */
export interface Target {
  platform: 'discord' | 'slack';
  channelId: string;
}

/** What the platforms hold: per (post, channel) how many messages, and the first one's time. */
export interface Seen {
  count: Map<string, number>;
  firstAt: Map<string, number>;
  messages: number;
}

export const pairKey = (n: number, target: Target) => `${n}>${target.platform}:${target.channelId}`;

export class World {
  readonly discord: FakeDiscord;
  readonly slack: FakeSlack;
  readonly targets: Target[];
  readonly published = new Map<number, number>();
  readonly workers: BotProcess[] = [];
  poller!: BotProcess;
  private readonly bots = new BotProcesses();
  private env: Record<string, string> = {};

  private constructor(
    readonly redis: PrivateRedis,
    readonly feed: FeedServer,
    discord: FakeDiscord,
    slack: FakeSlack,
    size: WorldSize,
  ) {
    this.discord = discord;
    this.slack = slack;
    this.targets = [
      ...Array.from({ length: size.discordChannels }, (_, i) => ({
        platform: 'discord' as const,
        channelId: String(760_000_000_000_000_000n + BigInt(i)),
      })),
      ...Array.from({ length: size.slackChannels }, (_, i) => ({
        platform: 'slack' as const,
        channelId: `CCHAOS${i}`,
      })),
    ];
  }

  static async start(size: WorldSize): Promise<World> {
    const redis = await PrivateRedis.start({ persist: true });
    const feed = await startFeedServer({ [FEED_PATH]: { kind: 'body', body: ATOM, etag: '"v0"' } });
    const discord = await FakeDiscord.start();
    const slack = new FakeSlack();
    await slack.start();
    slack.tokens.set(SLACK_TOKEN, { teamId: SLACK_TEAM, botId: 'BCHAOS', botUserId: 'UCHAOS' });
    const world = new World(redis, feed, discord, slack, size);
    for (const target of world.targets) {
      if (target.platform === 'slack') slack.channels.set(target.channelId, { isMember: true });
    }
    world.env = {
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'chaos',
      PSF_FEEDS: `psf=${feed.url(FEED_PATH)}`,
      POLL_INTERVAL: '1s',
      DISCORD_TOKEN: FAKE_TOKEN,
      DISCORD_APPLICATION_ID: FAKE_APPLICATION_ID,
      DISCORD_API_URL: discord.apiUrl,
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_SIGNING_SECRET: 'chaos-signing-secret',
      SLACK_API_URL: slack.apiUrl,
      SLACK_CHANNEL_INTERVAL: '200ms',
      SLACK_RATE_LIMIT: '200',
      PSF_SUBSCRIPTIONS: world.targets
        .map((t) => `${t.platform}:${t.platform === 'slack' ? SLACK_TEAM : '1'}:${t.channelId}`)
        .join(','),
    };
    const [poller, a, b] = await Promise.all([
      world.bots.start('poller', 'poller', world.env),
      world.bots.start('worker-a', 'worker', world.env),
      world.bots.start('worker-b', 'worker', world.env),
    ]);
    world.poller = poller!;
    world.workers.push(a!, b!);
    await waitFor(() => world.polls() > 0, 'the first (seeding) poll', 30_000);
    return world;
  }

  /** Polls the poller has logged so far. */
  polls(): number {
    return this.poller.logs().filter((line) => line.msg === 'polled').length;
  }

  /** Publishes post `n` (on top of the ones published before). */
  publish(n: number): void {
    this.published.set(n, Date.now());
    const entries = [...this.published.keys()]
      .sort((x, y) => y - x)
      .map((k) => ({ n: k, publishedAt: new Date(this.published.get(k)!) }));
    this.feed.route(FEED_PATH, { kind: 'body', body: atomWithEntries(ATOM, entries), etag: `"v${n}"` });
  }

  /** SIGKILLs worker `i` and starts a new one in its place. */
  async killWorker(i: number): Promise<void> {
    await this.workers[i]!.stop('SIGKILL');
    this.workers[i] = await this.bots.start(`worker-${i}-again`, 'worker', this.env);
  }

  /** What both platforms hold now. */
  seen(): Seen {
    const seen: Seen = { count: new Map(), firstAt: new Map(), messages: 0 };
    const add = (n: number, target: Target, at: number) => {
      const key = pairKey(n, target);
      seen.count.set(key, (seen.count.get(key) ?? 0) + 1);
      seen.firstAt.set(key, Math.min(seen.firstAt.get(key) ?? Infinity, at));
      seen.messages += 1;
    };
    for (const [channelId, messages] of this.discord.rest.messages) {
      for (const message of messages) {
        const n = POST_URL.exec(JSON.stringify(message.embeds))?.[1];
        if (n)
          add(
            Number(n),
            { platform: 'discord', channelId },
            this.discord.rest.createdAt.get(message.id) ?? 0,
          );
      }
    }
    for (const message of this.slack.messages) {
      const n = POST_URL.exec(message.text)?.[1];
      if (n) add(Number(n), { platform: 'slack', channelId: message.channel }, message.at ?? 0);
    }
    return seen;
  }

  /** Subscriptions disabled in the bot's Redis (no chaos fault is a real loss of access). */
  async disabled(): Promise<number> {
    const client = new Redis(this.redis.where);
    try {
      const subs = await new RedisSubscriptionStore(client, 'chaos').list();
      return subs.filter((sub) => sub.disabledReason !== null).length;
    } finally {
      await client.quit();
    }
  }

  async stop(): Promise<void> {
    this.discord.rest.intercept = null;
    this.slack.intercept = null;
    await this.bots.killAll();
    await Promise.allSettled([this.feed.close(), this.discord.stop(), this.slack.stop()]);
    await this.redis.stop();
  }
}
