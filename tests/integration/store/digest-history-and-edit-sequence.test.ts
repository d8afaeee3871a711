import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MemoryDigestHistory,
  RedisDigestHistory,
  type DigestHistory,
} from '../../../src/digests/digest-history.js';
import {
  MemoryEditSequence,
  RedisEditSequence,
  type EditSequence,
} from '../../../src/posts/edit-sequence.js';
import { deleteKeys, uniquePrefix } from '../../helpers/delivery-fixtures.js';
import { TEST_REDIS_URL } from '../../helpers/test-redis.js';

const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
const prefix = uniquePrefix('digest-history');
afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

const channel = { platform: 'slack' as const, workspaceId: 'T1', channelId: 'C1' };
const other = { ...channel, channelId: 'C2' };
const daily = (day: string, since: string, end: string) => ({
  cadence: 'daily' as const,
  periodKey: `daily-${day}`,
  since,
  end,
});

describe.each([
  ['memory', () => new MemoryDigestHistory()],
  ['Redis', () => new RedisDigestHistory(redis, prefix)],
] as [string, () => DigestHistory][])('%s digest history', (_name, make) => {
  it('names the digest whose period covered an announcement (after its start, up to its end), per channel', async () => {
    const history = make();
    const first = daily('2026-12-01', '2026-11-30T15:00:00.000Z', '2026-12-01T15:00:00.000Z');
    // A digest after downtime covers everything since the channel's last one.
    const late = daily('2026-12-03', '2026-12-01T15:00:00.000Z', '2026-12-03T15:00:00.000Z');
    await history.record(channel, first);
    await history.record(channel, late);
    expect(await history.covering(channel, new Date('2026-12-01T15:00:00.000Z'))).toEqual(first);
    expect(await history.covering(channel, new Date('2026-12-01T15:00:00.001Z'))).toEqual(late);
    expect(await history.covering(channel, new Date('2026-12-02T09:00:00.000Z'))).toEqual(late);
    expect(await history.covering(channel, new Date('2026-11-30T15:00:00.000Z'))).toBeNull();
    expect(await history.covering(channel, new Date('2026-12-03T15:00:01.000Z'))).toBeNull();
    expect(await history.covering(other, new Date('2026-12-01T10:00:00.000Z'))).toBeNull();
  });
});

describe.each([
  ['memory', () => new MemoryEditSequence()],
  ['Redis', () => new RedisEditSequence(redis, prefix)],
] as [string, () => EditSequence][])('%s edit sequence', (_name, make) => {
  it('numbers the changes of each post 1, 2, 3…, never the same number twice', async () => {
    const sequence = make();
    const post = { feed: 'psf', id: 'a' };
    expect(await sequence.next(post)).toBe(1);
    expect(await sequence.next(post)).toBe(2);
    expect(await sequence.next({ feed: 'psf', id: 'b' })).toBe(1);
    expect(await sequence.next(post)).toBe(3);
  });
});
