import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Config, DeclaredSubscription } from '../../src/config.js';
import { pollFeed } from '../../src/feeds/poller.js';
import type { Logger } from '../../src/logger.js';
import type { Metrics } from '../metrics.js';
import { announcePostsChanged } from '../index-sync.js';
import { BullAnnouncementSink, pollJobSchema, pollSchedulerId, QUEUE } from '../queues.js';
import { pollDeps, type Stores } from '../stores.js';
import { assertPollSchedulers, startReassert } from './reassert.js';

/** A running poller: one BullMQ job scheduler per feed and the worker that polls. */
export interface Poller {
  worker: Worker;
  close(): Promise<void>;
}

/**
 * Polling runs on BullMQ job schedulers, one per feed: however many pollers run, a scheduler yields one
 * job per interval and one worker takes it, so each feed is polled once per interval. Upserting an
 * existing scheduler again does not trigger an extra run.
 */
export async function startPoller(
  config: Config,
  stores: Stores,
  connection: ConnectionOptions,
  metrics: Metrics,
  logger: Logger,
  declared: readonly DeclaredSubscription[] = config.subscriptions,
): Promise<Poller> {
  const pollQueue = new Queue(QUEUE.poll, { connection, prefix: stores.prefix });
  const announceQueue = new Queue(QUEUE.announce, { connection, prefix: stores.prefix });
  const wanted = new Set(config.feeds.map((feed) => pollSchedulerId(feed.name)));
  await assertPollSchedulers(pollQueue, config, true);
  for (const scheduler of await pollQueue.getJobSchedulers()) {
    if (scheduler.key.startsWith('poll-') && !wanted.has(scheduler.key)) {
      await pollQueue.removeJobScheduler(scheduler.key);
      logger.info({ scheduler: scheduler.key }, 'removed the poll schedule of a feed no longer configured');
    }
  }
  const sink = new BullAnnouncementSink(announceQueue);
  const worker = new Worker(
    QUEUE.poll,
    async (job) => {
      const { feed: name } = pollJobSchema.parse(job.data);
      const feed = config.feeds.find((candidate) => candidate.name === name);
      if (!feed) return { skipped: `feed ${name} is not configured` };
      const log = logger.child({ jobId: job.id, feed: name });
      const result = await pollFeed(feed, pollDeps(config, stores, sink, log));
      metrics.recordPollResult(result);
      if (result.status === 200) await announcePostsChanged(stores.redis, stores.prefix, feed.name);
      if (result.status === 'error') log.warn({ error: result.error }, 'poll failed');
      else if (!result.skipped)
        log.info({ status: result.status, new: result.new.length, seeded: result.seeded }, 'polled');
      return result;
    },
    { connection, prefix: stores.prefix, concurrency: 2 },
  );
  worker.on('error', (error) => logger.debug({ err: error }, 'poll worker connection error'));
  const stopReassert = await startReassert({
    redis: stores.redis,
    prefix: stores.prefix,
    pollQueue,
    config,
    declared,
    subscriptions: stores.subscriptions,
    onDataLost: () => metrics.recordRedisDataLost(),
    logger,
  });
  return {
    worker,
    async close() {
      stopReassert();
      await worker.close();
      await Promise.all([pollQueue.close(), announceQueue.close()]);
    },
  };
}
