// A delivery worker process for the crash and shared-rate-limit tests: fan-out (optional) and the console
// deliver worker against real Redis, sending to the recording platform. Config: JSON in argv[2].
// Prints "ready" once its workers run; closes gracefully on SIGTERM.
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { MemoryDeliveryCounters } from '../../src/delivery/counters.js';
import { RedisDeliveryLedger } from '../../src/delivery/redis-delivery-ledger.js';
import { silentLogger } from '../../src/logger.js';
import { MemoryPostStore } from '../../src/store/memory-post-store.js';
import { RedisSubscriptionStore } from '../../src/subscriptions/redis-subscription-store.js';
import { deliverJobOptions, deliverQueueName, QUEUE } from '../../jobs/queues.js';
import { createFanoutProcessor, type DeliverJobQueue } from '../../jobs/delivery/fanout.js';
import {
  closeDelivery,
  createDeliveryWorkers,
  type RateLimit,
  type WorkerTuning,
} from '../../jobs/delivery/workers.js';
import { makePosts } from './delivery-fixtures.js';
import { RecordingAnnouncer } from './delivery-recording-announcer.js';

/** What the parent tells a child worker process. */
export interface ChildConfig {
  name: string;
  redis: { host: string; port: number };
  prefix: string;
  platformRedis: { host: string; port: number };
  recordingKey: string;
  posts: number;
  fanout: boolean;
  latencyMs: number;
  /** Slows each fan-out `addBulk` (with `chunkSize`) so the parent can kill mid-fan-out. */
  addBulkDelayMs?: number;
  chunkSize?: number;
  limit?: RateLimit;
  concurrency?: number;
  tuning?: WorkerTuning;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const connection = config.redis;
const { prefix } = config;
const logger = silentLogger();
const redis = new Redis(config.redis);
const platformRedis = new Redis(config.platformRedis);
const posts = new MemoryPostStore();
await posts.save(makePosts(config.posts));
const subscriptions = new RedisSubscriptionStore(redis, prefix);

const delivery = createDeliveryWorkers({
  connection,
  prefix,
  announcers: {
    console: new RecordingAnnouncer(
      'console',
      platformRedis,
      config.recordingKey,
      config.name,
      config.latencyMs,
    ),
  },
  posts,
  subscriptions,
  ledger: new RedisDeliveryLedger(redis, prefix),
  counters: new MemoryDeliveryCounters(),
  config: {},
  logger,
  ...(config.limit ? { limits: { console: config.limit } } : {}),
  ...(config.concurrency ? { concurrency: { console: config.concurrency } } : {}),
  ...(config.tuning ? { tuning: config.tuning } : {}),
});
const workers = [...delivery.workers];
const queues = [...delivery.queues];

if (config.fanout) {
  const deliverQueue = new Queue(deliverQueueName('console'), { connection, prefix });
  const slow: DeliverJobQueue = {
    addBulk: async (jobs) => {
      await new Promise((resolve) => setTimeout(resolve, config.addBulkDelayMs ?? 0));
      return deliverQueue.addBulk(jobs);
    },
  };
  const processor = createFanoutProcessor({
    posts,
    subscriptions,
    deliverQueues: { console: slow },
    jobOptions: deliverJobOptions(5, 50),
    logger,
    ...(config.chunkSize ? { chunkSize: config.chunkSize } : {}),
  });
  workers.push(
    new Worker(QUEUE.announce, processor, { connection, prefix, concurrency: 2, ...config.tuning }),
  );
  queues.push(deliverQueue);
}

await Promise.all(workers.map((worker) => worker.waitUntilReady()));
process.stdout.write('ready\n');

process.once('SIGTERM', () => {
  void closeDelivery({ workers, queues })
    .then(() => Promise.all([redis.quit(), platformRedis.quit()]))
    .finally(() => process.exit(0));
});
