import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MemoryFollowStore,
  RedisFollowStore,
  type Follow,
  type FollowStore,
} from '../../../src/subscriptions/follow-store.js';
import { deleteKeys, uniquePrefix } from '../../helpers/delivery-fixtures.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

const redis = new Redis(testRedisOptions());
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(redis, prefix);
  await redis.quit();
});

function follow(workspaceId: string, channelId: string, feed: string): Follow {
  return {
    platform: 'discord',
    workspaceId,
    channelId,
    feed,
    hubChannelId: `hub-${feed}`,
    webhookId: `${workspaceId}${channelId}${feed.length}`,
    createdBy: 'u1',
    createdAt: '2026-12-01T00:00:00.000Z',
  };
}

const stores: [string, () => FollowStore][] = [
  ['memory', () => new MemoryFollowStore()],
  [
    'redis',
    () => {
      const prefix = uniquePrefix('follows');
      prefixes.push(prefix);
      return new RedisFollowStore(redis, prefix);
    },
  ],
];

describe.each(stores)('%s follow store', (_name, make) => {
  it('keeps one follow per channel and feed, by server, and forgets them one by one', async () => {
    const store = make();
    await store.put(follow('G1', '10', 'psf'));
    await store.put(follow('G1', '10', 'insider'));
    await store.put(follow('G1', '11', 'psf'));
    await store.put(follow('G2', '20', 'psf'));
    await store.put({ ...follow('G1', '10', 'psf'), webhookId: '999' });
    const channel = { platform: 'discord' as const, workspaceId: 'G1', channelId: '10' };
    expect((await store.get(channel, 'psf'))?.webhookId).toBe('999');
    expect(await store.get({ ...channel, workspaceId: 'G2' }, 'psf')).toBeNull();
    expect((await store.listChannel(channel)).map((item) => item.feed)).toEqual(['insider', 'psf']);
    expect((await store.listWorkspace('discord', 'G1')).map((item) => item.channelId)).toEqual([
      '10',
      '10',
      '11',
    ]);
    expect(await store.listWorkspace('slack', 'G1')).toEqual([]);
    expect(await store.list()).toHaveLength(4);
    expect(await store.remove(channel, 'psf')).toBe(true);
    expect(await store.remove(channel, 'psf')).toBe(false);
    expect(await store.remove({ ...channel, workspaceId: 'G2', channelId: '20' }, 'psf')).toBe(true);
    expect((await store.list()).map((item) => `${item.workspaceId}/${item.channelId}/${item.feed}`)).toEqual([
      'G1/10/insider',
      'G1/11/psf',
    ]);
  });
});

describe('redis follow store keys', () => {
  it('keeps every key under the prefix, one hash per server, and drops a server with no follows left', async () => {
    const prefix = uniquePrefix('follow-keys');
    prefixes.push(prefix);
    const store = new RedisFollowStore(redis, prefix);
    await store.put(follow('G1', '10', 'psf'));
    await store.put(follow('G2', '20', 'psf'));
    const keys = (await redis.keys(`${prefix}:*`)).sort();
    expect(keys).toEqual([
      `${prefix}:follow:tenants`,
      `${prefix}:follow:ws:["discord","G1"]`,
      `${prefix}:follow:ws:["discord","G2"]`,
    ]);
    await store.remove({ platform: 'discord', workspaceId: 'G2', channelId: '20' }, 'psf');
    expect(await redis.smembers(`${prefix}:follow:tenants`)).toEqual(['["discord","G1"]']);
    expect(await redis.exists(`${prefix}:follow:ws:["discord","G2"]`)).toBe(0);
  });
});
