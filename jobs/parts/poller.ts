import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Config, DeclaredSubscription } from '../../src/config.js';
import { duration } from '../../src/commands/status.js';
import { pollFeed } from '../../src/feeds/poller.js';
import type { Logger } from '../../src/logger.js';
import type { Metrics } from '../metrics.js';
import { announcePostsChanged } from '../index-sync.js';
import { BullAnnouncementSink, pollJobSchema, pollSchedulerId, QUEUE } from '../queues.js';
import { pollDeps, type Stores } from '../stores.js';
import { assertPollSchedulers, pollOffset, startReassert } from './reassert.js';

/**
 * When a failed feed is next fetched: the scheduler's first tick (every `intervalMs` from now) at or after the
 * end of its backoff.
 */
export function retryAt(backoffUntil: string | null, intervalMs: number, now: Date): Date {
  const wait = backoffUntil === null ? 0 : Date.parse(backoffUntil) - now.getTime();
  const ticks = Math.max(1, Math.ceil((Number.isFinite(wait) ? wait : 0) / intervalMs));
  return new Date(now.getTime() + ticks * intervalMs);
}

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
  const offsetMs = await pollOffset(stores.redis, stores.prefix, config.pollIntervalMs);
  await assertPollSchedulers(pollQueue, config, offsetMs, true);
  for (const scheduler of await pollQueue.getJobSchedulers()) {
    if (scheduler.key.startsWith('poll-') && !wanted.has(scheduler.key)) {
      await pollQueue.removeJobScheduler(scheduler.key);
      logger.info({ scheduler: scheduler.key }, 'removed the poll schedule of a feed no longer configured');
    }
  }
  const sink = new BullAnnouncementSink(
    announceQueue,
    () => new Date(),
    stores.announcements,
    stores.editSequence,
  );
  const worker = new Worker(
    QUEUE.poll,
    async (job) => {
      const { feed: name } = pollJobSchema.parse(job.data);
      const feed = config.feeds.find((candidate) => candidate.name === name);
      if (!feed) return { skipped: `feed ${name} is not configured` };
      // pollFeed's own lines name the feed: the child adds only the job, so no key appears twice in a line.
      const log = logger.child({ jobId: job.id });
      const result = await pollFeed(feed, pollDeps(config, stores, sink, log));
      metrics.recordPollResult(result);
      if (result.status === 200) await announcePostsChanged(stores.redis, stores.prefix, feed.name);
      if (result.status === 'error' && !result.skipped) {
        const state = await stores.feedStates.get(name).catch(() => null);
        const retry = retryAt(state?.nextAttemptAt ?? null, config.pollIntervalMs, new Date());
        log.warn(
          { feed: name, failures: state?.consecutiveFailures ?? null, retryAt: retry.toISOString() },
          `${result.error ?? `feed ${name} failed`}; will retry in ${duration(retry.getTime() - Date.now())} (${retry.toISOString()})`,
        );
      } else if (!result.skipped)
        log.info(
          { feed: name, status: result.status, new: result.new.length, seeded: result.seeded },
          'polled',
        );
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
    offsetMs,
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
