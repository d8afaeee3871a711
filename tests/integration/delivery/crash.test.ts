import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisDeliveryLedger } from '../../../src/delivery/redis-delivery-ledger.js';
import { postKey } from '../../../src/posts/identity.js';
import { RedisSubscriptionStore } from '../../../src/subscriptions/redis-subscription-store.js';
import { BullAnnouncementSink, deliverQueueName, QUEUE } from '../../../jobs/queues.js';
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
const prefix = uniquePrefix('delivery-crash');
const recordingKey = `${prefix}:platform`;
const redis = new Redis(where);
const announceQueue = new Queue(QUEUE.announce, { connection: where, prefix });
const deliverQueue = new Queue(deliverQueueName('console'), { connection: where, prefix });
const children: ChildWorker[] = [];

afterAll(async () => {
  await Promise.all(children.map((child) => child.stop()));
  await Promise.all([announceQueue.close(), deliverQueue.close()]);
  await clearRecording(redis, recordingKey);
  await deleteKeys(redis, prefix);
  await redis.quit();
});

const totalDeliverJobs = async () =>
  Object.values(
    await deliverQueue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'),
  ).reduce((a, b) => a + b, 0);

const idle = async () => {
  for (const queue of [announceQueue, deliverQueue]) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    if (Object.values(counts).some((n) => n > 0)) return false;
  }
  return true;
};

describe('a worker killed with SIGKILL in the middle of the fan-out', () => {
  it('still delivers exactly 150 messages after a restart, none twice', async () => {
    const posts = makePosts(3);
    const subscriptions = new RedisSubscriptionStore(redis, prefix);
    for (let i = 0; i < 50; i++) await subscriptions.put(makeSubscription(i));
    const config: ChildConfig = {
      name: 'first',
      redis: where,
      prefix,
      platformRedis: where,
      recordingKey,
      posts: 3,
      fanout: true,
      latencyMs: 15,
      addBulkDelayMs: 100,
      chunkSize: 10,
      concurrency: 5,
      limit: { max: 1000, duration: 1000 },
      tuning: { lockDuration: 2_000, stalledInterval: 1_000 },
    };
    const first = await startChildWorker(config);
    children.push(first);
    await new BullAnnouncementSink(announceQueue).enqueue(posts);

    // Kill once some messages went out and the deliver jobs queued so far are not a whole number of posts.
    let atKill = { jobs: 0, messages: 0, announced: 0 };
    await waitFor(async () => {
      const [jobs, messages] = await Promise.all([totalDeliverJobs(), countMessages(redis, recordingKey)]);
      if (messages < 25 || jobs % 50 === 0) return false;
      await first.kill();
      atKill = { jobs, messages, announced: await announceQueue.getCompletedCount() };
      return true;
    }, 'the middle of the fan-out');
    expect(atKill.jobs).toBeLessThan(150);

    const second = await startChildWorker({ ...config, name: 'second' });
    children.push(second);
    await waitFor(
      async () => (await countMessages(redis, recordingKey)) >= 150 && (await idle()),
      '150 messages',
      45_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a stalled check or two: nothing more may arrive

    const { calls, messages } = await readRecording(redis, recordingKey);
    const pairs = new Set(messages.map((m) => `${m.postId}>${m.channelId}`));
    const ledger = new RedisDeliveryLedger(redis, prefix);
    let recorded = 0;
    for (const post of posts) recorded += (await ledger.forPost(postKey(post.feed, post.id))).length;
    console.log(
      `[delivery-report] SIGKILL mid-fan-out: killed at ${atKill.jobs}/150 deliver jobs queued, ${atKill.messages} messages, ` +
        `${atKill.announced}/3 fan-outs done; after restart: messages=${messages.length} distinct=${pairs.size} ` +
        `duplicates=${messages.length - pairs.size} lost=${150 - pairs.size} sends=${calls.length} ` +
        `(re-sends absorbed by nonce: ${calls.length - messages.length}) ledger=${recorded}`,
    );
    expect(messages).toHaveLength(150);
    expect(pairs.size).toBe(150);
    expect(recorded).toBe(150);
    // Only a job killed between the platform's acceptance and its ledger write may send again (at most one
    // per concurrent job), and the nonce makes that a no-op, as Discord's enforce_nonce does.
    expect(calls.length - messages.length).toBeLessThanOrEqual(config.concurrency!);
    expect(await deliverQueue.getFailedCount()).toBe(0);
  });
});
