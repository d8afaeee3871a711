import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisSubscriptionStore } from '../../../src/subscriptions/redis-subscription-store.js';
import { BullAnnouncementSink, QUEUE } from '../../../jobs/queues.js';
import {
  deleteKeys,
  makePosts,
  makeSubscription,
  uniquePrefix,
  waitFor,
} from '../../helpers/delivery-fixtures.js';
import { startChildWorker, type ChildWorker } from '../../helpers/delivery-processes.js';
import { clearRecording, countMessages, readRecording } from '../../helpers/delivery-recording-announcer.js';
import type { ChildConfig } from '../../helpers/delivery-worker-child.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

const where = testRedisOptions();
const prefix = uniquePrefix('delivery-rate');
const recordingKey = `${prefix}:platform`;
const redis = new Redis(where);
const announceQueue = new Queue(QUEUE.announce, { connection: where, prefix });
const children: ChildWorker[] = [];

afterAll(async () => {
  await Promise.all(children.map((child) => child.stop()));
  await announceQueue.close();
  await clearRecording(redis, recordingKey);
  await deleteKeys(redis, prefix);
  await redis.quit();
});

/** The most sends in any window of `windowMs` starting at a send. */
function busiestWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('two worker processes sharing one deliver queue', () => {
  it('hold the queue-wide rate limit together', async () => {
    const limit = { max: 20, duration: 1_000 };
    const subscriptions = new RedisSubscriptionStore(redis, prefix);
    for (let i = 0; i < 50; i++) await subscriptions.put(makeSubscription(i));
    const base: ChildConfig = {
      name: 'a',
      redis: where,
      prefix,
      platformRedis: where,
      recordingKey,
      posts: 2,
      fanout: true,
      latencyMs: 5,
      limit,
      concurrency: 10,
    };
    children.push(
      ...(await Promise.all([
        startChildWorker(base),
        startChildWorker({ ...base, name: 'b', fanout: false }),
      ])),
    );
    await new BullAnnouncementSink(announceQueue).enqueue(makePosts(2));
    await waitFor(async () => (await countMessages(redis, recordingKey)) >= 100, '100 messages', 40_000);

    const { messages } = await readRecording(redis, recordingKey);
    const times = messages.map((m) => m.at).sort((a, b) => a - b);
    const perSecond = ((times.length - 1) * 1000) / (times.at(-1)! - times[0]!);
    const busiest = busiestWindow(times, limit.duration);
    const bySender = {
      a: messages.filter((m) => m.sender === 'a').length,
      b: messages.filter((m) => m.sender === 'b').length,
    };
    console.log(
      `[delivery-report] shared rate limit ${limit.max}/${limit.duration}ms, 2 processes: ${times.length} deliveries in ` +
        `${times.at(-1)! - times[0]!} ms = ${perSecond.toFixed(1)}/s; busiest 1 s window ${busiest}; by process ${JSON.stringify(bySender)}`,
    );
    expect(messages).toHaveLength(100);
    expect(bySender.a).toBeGreaterThan(0);
    expect(bySender.b).toBeGreaterThan(0);
    // Each process alone would allow 20/s, so unshared limits would reach ~40/s; no limit, hundreds.
    // Loose bounds: a fixed-window limiter lets 100 jobs through in 5 windows (>= 4 s first to last,
    // <= 24.75/s) and up to two windows' worth into any sliding second; event-loop jitter shifts stamps.
    expect(perSecond).toBeLessThanOrEqual(limit.max * 1.5);
    expect(busiest).toBeLessThanOrEqual(limit.max * 2.5);
  });
});
