import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisChannelPacer } from '../../../src/delivery/channel-pacer.js';
import { channelField } from '../../../src/delivery/ledger.js';
import type { ChannelRef } from '../../../src/subscriptions/subscription-store.js';
import { uniquePrefix } from '../../helpers/delivery-fixtures.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

const redis = new Redis(testRedisOptions());
const prefix = uniquePrefix('delivery-pacer');
const channel: ChannelRef = { platform: 'slack', workspaceId: 'T1', channelId: 'C1' };

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('RedisChannelPacer', () => {
  it('gives each job its own slot, one interval apart, and the same slot when the job asks again', async () => {
    const pacer = new RedisChannelPacer(redis, prefix);
    const waits = [];
    for (const ticket of ['a', 'b', 'c', 'd']) waits.push(await pacer.reserve(channel, 1_000, ticket));
    expect(waits[0]).toBe(0);
    // Successive slots: about 1, 2 and 3 seconds out (a few ms pass between the calls).
    waits.slice(1).forEach((wait, i) => {
      expect(wait).toBeGreaterThan((i + 1) * 1_000 - 50);
      expect(wait).toBeLessThanOrEqual((i + 1) * 1_000);
    });
    // Job c wakes early and asks again: it keeps its slot, it is not sent behind d.
    const again = await pacer.reserve(channel, 1_000, 'c');
    expect(again).toBeGreaterThan(waits[3]! - 1_000 - 50);
    expect(again).toBeLessThanOrEqual(waits[2]!);
    // Another channel is not held back by this one.
    expect(await pacer.reserve({ ...channel, channelId: 'C2' }, 1_000, 'e')).toBe(0);
  });

  it('lets a job whose slot has come go at once, and forgets the ticket', async () => {
    const pacer = new RedisChannelPacer(redis, prefix);
    const other: ChannelRef = { ...channel, channelId: 'C3' };
    expect(await pacer.reserve(other, 100, 'x')).toBe(0);
    const wait = await pacer.reserve(other, 100, 'y');
    expect(wait).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, wait + 10));
    expect(await pacer.reserve(other, 100, 'y')).toBe(0);
    expect(await redis.hget(`${prefix}:ledger-pace:${channelField(other)}:tickets`, 'y')).toBeNull();
  });
});
