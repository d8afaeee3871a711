import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createSlackApp, type SlackBot } from '../../../adapters/slack/app.js';
import { RedisInstallationStore } from '../../../adapters/slack/installation-store.js';
import { CommandCore } from '../../../src/commands/command-core.js';
import { homeContent } from '../../../src/commands/home.js';
import type { QueueHealth } from '../../../src/commands/types.js';
import type { Config } from '../../../src/config.js';
import { MemoryFeedStateStore } from '../../../src/feeds/memory-feed-state-store.js';
import { parseFeed } from '../../../src/feeds/parse.js';
import { silentLogger } from '../../../src/logger.js';
import type { Post } from '../../../src/posts/post.js';
import { PostIndex } from '../../../src/search/post-index.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { RedisSubscriptionStore } from '../../../src/subscriptions/redis-subscription-store.js';
import type { SubscriptionStore } from '../../../src/subscriptions/subscription-store.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { deleteKeys, uniquePrefix } from '../../helpers/delivery-fixtures.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

export const SIGNING_SECRET = 'test-signing-secret';
export const BOT_TOKEN = 'xoxb-fake-single';
export const TEAM = 'T0FAKE';

const idleQueues: QueueHealth = { counts: async () => ({}) };
const FEEDS = [{ name: 'psf', url: 'https://pyfound.blogspot.com/feeds/posts/default', title: 'PSF blog' }];

/** The 25 newest PSF posts from the Blogger fixture, newest first. */
export async function fixturePosts(): Promise<Post[]> {
  return (await parseFeed(readFixture(FIXTURES.bloggerAtom), 'psf')).posts;
}

/** How a test wants the Slack side set up. */
export interface SlackHarnessOptions {
  oauth?: boolean;
  socketMode?: boolean;
  adminUsers?: string[];
  /** Use this store (e.g. a delivery harness's) instead of a fresh Redis one. */
  subscriptions?: SubscriptionStore;
  /** A fake Slack the test already started (and stops itself). */
  fake?: FakeSlack;
  /** Don't start the HTTP receiver (tests that mount the router elsewhere). */
  listen?: boolean;
}

/** A fake Slack, the real Bolt app over a real CommandCore with the fixture posts, and Redis stores. */
export async function startSlackHarness(options: SlackHarnessOptions = {}) {
  const fake = options.fake ?? new FakeSlack();
  if (!options.fake) await fake.start();
  fake.tokens.set(BOT_TOKEN, { teamId: TEAM, botId: 'B0FAKE', botUserId: 'U0BOT' });
  const prefix = uniquePrefix('slack');
  const redis = new Redis(testRedisOptions());
  const subscriptions = options.subscriptions ?? new RedisSubscriptionStore(redis, prefix);
  const installations = new RedisInstallationStore(redis, prefix);
  const posts = await fixturePosts();
  const store = new MemoryPostStore();
  await store.save(posts);
  const core = new CommandCore({
    posts: store,
    index: PostIndex.build(posts),
    subscriptions,
    feedStates: new MemoryFeedStateStore(),
    queues: idleQueues,
    feeds: FEEDS,
    pollIntervalMs: 300_000,
  });
  const config: NonNullable<Config['slack']> = {
    signingSecret: SIGNING_SECRET,
    apiUrl: fake.apiUrl,
    adminUsers: options.adminUsers ?? [],
    channelIntervalMs: 1_000,
    messagesPerSecond: 20,
    ...(options.oauth
      ? {
          oauth: {
            clientId: fake.oauthClient.id,
            clientSecret: fake.oauthClient.secret,
            stateSecret: 'state-secret',
          },
        }
      : { botToken: BOT_TOKEN }),
    ...(options.socketMode ? { appToken: 'xapp-fake' } : {}),
  };
  const bot: SlackBot = await createSlackApp({
    config,
    commands: core,
    subscriptions,
    installations,
    logger: silentLogger(),
    home: (workspaceId, canManage) =>
      homeContent(
        { posts: store, subscriptions, feeds: FEEDS },
        { platform: 'slack', workspaceId },
        canManage,
      ),
  });
  let baseUrl = '';
  if (options.socketMode) {
    await bot.app.start();
  } else if (options.listen !== false) {
    const server = (await bot.app.start({ port: 0, host: '127.0.0.1' })) as Server;
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const stop = async () => {
    if (options.socketMode || options.listen !== false) await bot.app.stop();
    if (!options.fake) await fake.stop();
    await deleteKeys(redis, prefix);
    await redis.quit();
  };
  return {
    fake,
    bot,
    posts,
    store,
    core,
    subscriptions,
    installations,
    redis,
    prefix,
    baseUrl,
    eventsUrl: `${baseUrl}/slack/events`,
    stop,
  };
}

export type SlackHarness = Awaited<ReturnType<typeof startSlackHarness>>;
