import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../../jobs/metrics.js';
import { TEST_REDIS_URL } from '../../helpers/test-redis.js';

const prefix = `test-ops-metrics-${randomBytes(4).toString('hex')}`;
const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
const poll = new Queue('poll', { connection: redis, prefix });
const deliver = new Queue('deliver-discord', { connection: redis, prefix });

afterAll(async () => {
  for (const queue of [poll, deliver]) {
    await queue.obliterate({ force: true });
    await queue.close();
  }
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('queue depth metrics', () => {
  it("reads each queue's job counts by state from Redis at every scrape", async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.watchQueues([poll, deliver]);
    await poll.add('a', {});
    await poll.add('b', {});
    await deliver.add('later', {}, { delay: 60_000 });
    let text = await metrics.registry.metrics();
    expect(text).toContain('psf_queue_jobs{queue="poll",state="waiting"} 2');
    expect(text).toContain('psf_queue_jobs{queue="poll",state="delayed"} 0');
    expect(text).toContain('psf_queue_jobs{queue="deliver-discord",state="delayed"} 1');
    expect(text).toContain('psf_queue_jobs{queue="deliver-discord",state="failed"} 0');
    await poll.add('c', {});
    text = await metrics.registry.metrics();
    expect(text).toContain('psf_queue_jobs{queue="poll",state="waiting"} 3');
  });
});
