import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { CommandCore } from '../../../src/commands/command-core.js';
import type { ChannelFollows, CommandContext, Reply } from '../../../src/commands/types.js';
import { MemoryFeedStateStore } from '../../../src/feeds/memory-feed-state-store.js';
import { PostIndex } from '../../../src/search/post-index.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { RedisChannelLocks } from '../../../src/subscriptions/channel-locks.js';
import { RedisFollowStore } from '../../../src/subscriptions/follow-store.js';
import { RedisSubscriptionStore } from '../../../src/subscriptions/redis-subscription-store.js';
import type { SubscriptionStore } from '../../../src/subscriptions/subscription-store.js';
import { deleteKeys, uniquePrefix } from '../../helpers/delivery-fixtures.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

const redis = new Redis(testRedisOptions());
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(redis, prefix);
  await redis.quit();
});

const MANAGER: CommandContext = {
  platform: 'discord',
  workspaceId: '700000000000000001',
  channelId: '700000000000000010',
  userId: '700000000000000100',
  canManage: true,
};
const HUBS = [{ feed: 'psf', channelId: '710000000000000005' }];

/** A gate a test opens: what waits on it is held in flight until then. */
function gate(): { wait: Promise<void>; open: () => void; reached: Promise<void>; arrive: () => void } {
  let open = () => {};
  let arrive = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  return { wait, open, reached, arrive };
}

/**
 * Two processes (two command cores) over one Redis. `followGate` holds Discord's answer to the follow;
 * `subscribeGate` holds the subscription's write, each after its command has made its check.
 */
function twoProcesses(held: { follow?: ReturnType<typeof gate>; subscribe?: ReturnType<typeof gate> }) {
  const prefix = uniquePrefix('follow-race');
  prefixes.push(prefix);
  const subscriptions = new RedisSubscriptionStore(redis, prefix);
  const follows = new RedisFollowStore(redis, prefix);
  const asked: string[] = [];
  const channelFollows: ChannelFollows = {
    async follow(hub, channel) {
      asked.push(`follow ${hub} ${channel}`);
      held.follow?.arrive();
      await held.follow?.wait;
      return { ok: true, webhookId: '720000000000000001' };
    },
    async unfollow() {
      return { ok: true, gone: false };
    },
  };
  const slowWrites: SubscriptionStore = Object.assign(Object.create(subscriptions) as SubscriptionStore, {
    put: async (...args: Parameters<SubscriptionStore['put']>) => {
      held.subscribe?.arrive();
      await held.subscribe?.wait;
      return subscriptions.put(...args);
    },
  });
  const core = (store: SubscriptionStore) =>
    new CommandCore({
      posts: new MemoryPostStore(),
      index: PostIndex.build([]),
      subscriptions: store,
      feedStates: new MemoryFeedStateStore(),
      queues: { counts: async () => ({}) },
      feeds: [{ name: 'psf', url: 'https://example.org/psf.xml' }],
      pollIntervalMs: 300_000,
      hubs: HUBS,
      follows,
      channelFollows,
      channelLocks: new RedisChannelLocks(redis, prefix),
    });
  return { first: core(slowWrites), second: core(slowWrites), subscriptions, follows, asked };
}

const ok = (reply: Reply) => reply.kind === 'text';

describe('follow and subscribe of one channel at the same moment', () => {
  it('a subscribe started while a follow waits for Discord sees the follow and refuses', async () => {
    const held = gate();
    const { first, second, subscriptions, follows } = twoProcesses({ follow: held });
    const following = first.handle({ name: 'follow', feed: 'psf' }, MANAGER);
    await held.reached;
    const subscribing = second.handle({ name: 'subscribe', feed: 'psf' }, MANAGER);
    // Give the subscribe every chance to pass its check while the follow is in flight.
    await new Promise((resolve) => setTimeout(resolve, 300));
    held.open();
    const [followed, subscribed] = await Promise.all([following, subscribing]);
    expect(ok(followed)).toBe(true);
    expect(subscribed).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/follows the psf hub/),
    });
    expect(await follows.get(MANAGER, 'psf')).not.toBeNull();
    expect(await subscriptions.get(MANAGER)).toBeNull();
  });

  it('a follow started while a subscribe is being written sees the subscription and asks Discord nothing', async () => {
    const held = gate();
    const { first, second, subscriptions, follows, asked } = twoProcesses({ subscribe: held });
    const subscribing = first.handle({ name: 'subscribe', feed: 'psf' }, MANAGER);
    await held.reached;
    const following = second.handle({ name: 'follow', feed: 'psf' }, MANAGER);
    await new Promise((resolve) => setTimeout(resolve, 300));
    held.open();
    const [subscribed, followed] = await Promise.all([subscribing, following]);
    expect(ok(subscribed)).toBe(true);
    expect(followed).toMatchObject({ kind: 'error', message: expect.stringMatching(/subscribes to psf/) });
    expect(await subscriptions.get(MANAGER)).not.toBeNull();
    expect(await follows.get(MANAGER, 'psf')).toBeNull();
    expect(asked).toEqual([]);
  });

  it('two follows of one feed at the same moment make one follow, not two webhooks', async () => {
    const held = gate();
    const { first, second, follows, asked } = twoProcesses({ follow: held });
    const one = first.handle({ name: 'follow', feed: 'psf' }, MANAGER);
    await held.reached;
    const two = second.handle({ name: 'follow', feed: 'psf' }, MANAGER);
    await new Promise((resolve) => setTimeout(resolve, 300));
    held.open();
    const [, again] = await Promise.all([one, two]);
    expect(again).toMatchObject({ kind: 'text', text: expect.stringMatching(/already follows the psf hub/) });
    expect(await follows.listChannel(MANAGER)).toHaveLength(1);
    expect(asked).toHaveLength(1);
  });

  it('says the channel is busy when the other command keeps its lock past the wait, and writes nothing', async () => {
    const prefix = uniquePrefix('follow-race');
    prefixes.push(prefix);
    const locks = new RedisChannelLocks(redis, prefix, 200);
    let release = () => {};
    const holding = locks.hold(MANAGER, () => new Promise<void>((resolve) => (release = resolve)));
    const second = await locks.hold(MANAGER, async () => 'ran');
    expect(second).toEqual({ busy: true });
    release();
    expect(await holding).toEqual({ done: undefined });
    expect(await locks.hold(MANAGER, async () => 'ran')).toEqual({ done: 'ran' });
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });
});
