import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { assertPollSchedulers, pollOffset } from '../../../jobs/parts/reassert.js';
import { pollSchedulerId, QUEUE } from '../../../jobs/queues.js';
import { testRedisOptions } from '../../helpers/test-redis.js';
import { testRedis } from './redis.js';

// Each deployment polls at its own random point of the interval (BullMQ's `every` counts from the epoch, so
// without an offset every deployment would fetch at the same second), and keeps that point across restarts.

const { redis, prefix, cleanup } = testRedis('feeds-poll-offset');
const connection = testRedisOptions();
const config = { feeds: [{ name: 'psf', url: 'https://example.invalid/feed' }], pollIntervalMs: 60_000 };
const queues: Queue[] = [];

afterAll(async () => {
  await Promise.all(queues.map((queue) => queue.close()));
  await cleanup();
});

/** The time of the scheduler's next poll job. */
async function nextPollAt(queue: Queue): Promise<number> {
  const scheduler = await queue.getJobScheduler(pollSchedulerId('psf'));
  expect(scheduler?.next).toBeTypeOf('number');
  return scheduler!.next!;
}

describe('the poll offset', () => {
  it('is drawn once per deployment, stays within the interval, and scales with a changed interval', async () => {
    const offset = await pollOffset(redis, prefix, 60_000);
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThan(60_000);
    expect(await pollOffset(redis, prefix, 60_000)).toBe(offset);
    const hourly = await pollOffset(redis, prefix, 3_600_000);
    expect(hourly).toBeLessThan(3_600_000);
    expect(Math.abs(hourly / 3_600_000 - offset / 60_000)).toBeLessThan(1 / 60_000);
  });

  it('differs between deployments', async () => {
    const offsets = new Set<number>();
    for (let i = 0; i < 8; i += 1) offsets.add(await pollOffset(redis, `${prefix}:other${i}`, 60_000));
    expect(offsets.size).toBeGreaterThan(1);
  });

  it('places every scheduled poll at that point of the interval, before and after a restart', async () => {
    const offset = await pollOffset(redis, prefix, 60_000);
    const first = new Queue(QUEUE.poll, { connection, prefix });
    queues.push(first);
    await assertPollSchedulers(first, config, offset, true);
    const next = await nextPollAt(first);
    expect(next % 60_000).toBe(Math.max(1, offset));
    expect(next - Date.now()).toBeLessThanOrEqual(60_000);
    // A new schedule also polls once right away, rather than waiting for its point of the interval.
    expect(await first.getWaitingCount()).toBe(1);
    await first.close();

    // A restart draws nothing new and re-upserts the same schedule: the next poll stays where it was.
    const again = await pollOffset(redis, prefix, 60_000);
    expect(again).toBe(offset);
    const second = new Queue(QUEUE.poll, { connection, prefix });
    queues.push(second);
    await assertPollSchedulers(second, config, again, true);
    expect(await nextPollAt(second)).toBe(next);
    expect(await second.getDelayedCount()).toBe(1);
    expect(await second.getWaitingCount()).toBe(1);
  });
});
