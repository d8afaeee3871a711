import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { BullAnnouncementSink, QUEUE } from '../../jobs/queues.js';
import { backfillFeed } from '../../src/feeds/backfill.js';
import { RedisFeedMemory } from '../../src/feeds/redis-feed-memory.js';
import { RedisPostStore } from '../../src/store/redis-post-store.js';
import { RedisSubscriptionStore } from '../../src/subscriptions/redis-subscription-store.js';
import { benchSlackToken } from '../fakes/limited-slack.js';
import {
  LOOKUP_TEXTS,
  startCatcher,
  timeDiscordInteraction,
  timeSlackCommand,
  type ResponseCatcher,
} from '../lib/endpoints.js';
import { atMost, figure, percentile, type Figure } from '../lib/figures.js';
import type { Peer } from '../lib/peer.js';
import { baseEnv, productLogger } from '../lib/pipeline.js';
import { deliveryPost, discordChannelId, subscription } from '../lib/posts.js';
import { buildProduct, type ProductBuild } from '../lib/build.js';
import { startProduct, type ProductProcess } from '../lib/product.js';
import { withPrefix } from '../lib/redis.js';
import { discordSigner, type DiscordSigner } from '../lib/signing.js';
import { testRedisOptions } from '../../tests/helpers/test-redis.js';

const REQUESTS = 200;
const WARMUP = 20;
const DISCORD_CHANNELS = 200;
const SLACK_CHANNELS = 50;
const SIGNING_SECRET = 'bench-signing-secret';

/** Indexes the archive as `psf-bot backfill` would: stored, marked seen, nothing announced. */
async function backfillArchive(redis: Redis, prefix: string, peer: Peer): Promise<void> {
  await backfillFeed(
    { name: 'psf', url: `${peer.urls.feeds}/archive/feeds/posts/default` },
    {
      posts: new RedisPostStore(redis, prefix),
      memory: new RedisFeedMemory(redis, prefix),
      fetchOptions: { timeoutMs: 15_000, maxBytes: 20 * 1024 * 1024 },
      logger: productLogger(),
    },
  );
}

/** Sequential lookups through both HTTP endpoints; latencies in ms, warm-up dropped. */
async function timeEndpoints(bot: ProductProcess, catcher: ResponseCatcher, signer: DiscordSigner) {
  const base = `http://127.0.0.1:${bot.port}`;
  const slack: number[] = [];
  const discord: number[] = [];
  for (let i = 0; i < WARMUP + REQUESTS; i += 1) {
    const text = LOOKUP_TEXTS[i % LOOKUP_TEXTS.length]!;
    const s = await timeSlackCommand(`${base}/slack/events`, SIGNING_SECRET, catcher, `cmd-${i}`, text);
    const d = await timeDiscordInteraction(`${base}/discord/interactions`, signer, i, text);
    if (i >= WARMUP) {
      slack.push(s);
      discord.push(d);
    }
  }
  return { slack, discord };
}

/** Announces one post to Discord and Slack channels through the running bot, so delivery adds to its peak. */
async function deliverThrough(redis: Redis, prefix: string, peer: Peer): Promise<string> {
  const subscriptions = new RedisSubscriptionStore(redis, prefix);
  for (let i = 0; i < DISCORD_CHANNELS; i += 1)
    await subscriptions.put(subscription('discord', '700000000000000001', discordChannelId(10_000 + i)));
  for (let i = 0; i < SLACK_CHANNELS; i += 1)
    await subscriptions.put(subscription('slack', 'T0SERVICE', `C1${i}`));
  const post = deliveryPost(300);
  await new RedisPostStore(redis, prefix).save([post]);
  await Promise.all([peer.reset('discord'), peer.reset('slack')]);
  const queue = new Queue(QUEUE.announce, { connection: testRedisOptions(), prefix });
  try {
    await new BullAnnouncementSink(queue).enqueue([post]);
    const [discord, slack] = await Promise.all([
      peer.waitForAccepted('discord', DISCORD_CHANNELS, 30_000),
      peer.waitForAccepted('slack', SLACK_CHANNELS, 30_000),
    ]);
    return `delivered ${discord.accepted}/${DISCORD_CHANNELS} Discord and ${slack.accepted}/${SLACK_CHANNELS} Slack messages`;
  } finally {
    await queue.close();
  }
}

/** What one run of the service measured. */
interface ServiceRun {
  slack: number[];
  discord: number[];
  peakMb: number;
  endMb: number;
  delivered: string;
}

/** One `start --role all` run under a fresh prefix: archive backfilled, lookups timed, one delivery, memory read. */
async function runService(
  peer: Peer,
  cli: string | undefined,
  extraEnv: Record<string, string>,
): Promise<ServiceRun> {
  return withPrefix('service', async (redis, prefix) => {
    await backfillArchive(redis, prefix, peer);
    const signer = discordSigner();
    const catcher = await startCatcher();
    const env = {
      ...baseEnv(prefix),
      PSF_FEEDS: `psf=${peer.urls.feeds}/psf/feeds/posts/default`,
      DISCORD_TOKEN: 'bench-discord-token',
      DISCORD_APPLICATION_ID: '900000000000000002',
      DISCORD_MODE: 'http',
      DISCORD_PUBLIC_KEY: signer.publicKeyHex,
      DISCORD_API_URL: peer.urls.discordApi,
      SLACK_BOT_TOKEN: benchSlackToken('T0SERVICE'),
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: peer.urls.slackApi,
      ...extraEnv,
    };
    const bot = await startProduct('all', env, cli ? { cli } : {});
    try {
      const { slack, discord } = await timeEndpoints(bot, catcher, signer);
      const delivered = await deliverThrough(redis, prefix, peer);
      return {
        slack,
        discord,
        delivered,
        peakMb: await bot.memoryMb('VmHWM'),
        endMb: await bot.memoryMb('VmRSS'),
      };
    } finally {
      await bot.stop();
      await catcher.close();
    }
  });
}

function latencyNote(samples: number[], other: number[] | undefined): string {
  const tsx = other ? `; under tsx p99 ${percentile(other, 99).toFixed(1)} ms` : '';
  return `${samples.length} signed requests; p50 ${percentile(samples, 50).toFixed(1)} ms, max ${Math.max(...samples).toFixed(1)} ms${tsx}`;
}

/**
 * `psf-bot start --role all` as a child process, the archive indexed, Discord (HTTP interactions) and Slack
 * (HTTP receiver) both on the fakes: end-to-end lookup latency through each endpoint, one delivery, then the
 * peak resident memory the kernel recorded (VmHWM). Runs the compiled build as the Docker image does (the
 * figures), and the sources under tsx as `npm start` in a checkout does (in the notes).
 */
export async function service(peer: Peer): Promise<Figure[]> {
  let build: ProductBuild | null = null;
  let buildProblem = '';
  try {
    build = await buildProduct();
  } catch (error) {
    buildProblem = error instanceof Error ? error.message : String(error);
  }
  try {
    const compiled = build ? await runService(peer, build.cli, { NODE_ENV: 'production' }) : null;
    const tsx = await runService(peer, undefined, {});
    const main = compiled ?? tsx;
    const other = compiled ? tsx : undefined;
    const how = compiled
      ? 'compiled, NODE_ENV=production'
      : `under tsx (no build: ${buildProblem.slice(0, 200)})`;
    return [
      figure('slack_command_p99_ms', percentile(main.slack, 99), 'ms', {
        goal: atMost(50),
        digits: 2,
        note: latencyNote(main.slack, other?.slack),
      }),
      figure('discord_interaction_p99_ms', percentile(main.discord, 99), 'ms', {
        goal: atMost(50),
        digits: 2,
        note: latencyNote(main.discord, other?.discord),
      }),
      figure('rss_peak_mb', main.peakMb, 'MB', {
        goal: atMost(200),
        digits: 1,
        note: `VmHWM of start --role all, ${how}; ${main.delivered}; VmRSS at the end ${main.endMb.toFixed(1)} MB${other ? `; under tsx VmHWM ${other.peakMb.toFixed(1)} MB` : ''}`,
      }),
    ];
  } finally {
    await build?.dispose();
  }
}
