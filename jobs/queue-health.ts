import { Queue, type ConnectionOptions } from 'bullmq';
import type { DeliveryNote, PollerHealth, QueueHealth, Tenant } from '../src/commands/types.js';
import { PLATFORMS, type Platform } from '../src/posts/post.js';
import { deliverQueueName, pollSchedulerId, QUEUE } from './queues.js';

const POLL_SCHEDULER = pollSchedulerId('');

/** Every queue of the bot, for `status`, metrics and the dashboard. */
export function openAllQueues(
  connection: ConnectionOptions,
  prefix: string,
  platforms: readonly Platform[] = PLATFORMS,
): Queue[] {
  const names = [QUEUE.poll, QUEUE.announce, ...platforms.map(deliverQueueName)];
  return names.map((name) => new Queue(name, { connection, prefix }));
}

/** One queue's counts, prioritised jobs counted as waiting. */
async function countsOf(queue: Queue) {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
  return {
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    failed: counts.failed ?? 0,
  };
}

/**
 * `status`'s queue counts from BullMQ. The poll queue always holds its schedulers' next jobs as delayed, so the
 * one-word health members see is taken from the other queues only (announce and deliver).
 */
export function queueHealth(
  queues: readonly Queue[],
  notes?: (asking?: Tenant) => Promise<DeliveryNote[]>,
): QueueHealth {
  return {
    ...(notes ? { notes } : {}),
    async counts() {
      return Object.fromEntries(
        await Promise.all(queues.map(async (queue) => [queue.name, await countsOf(queue)] as const)),
      );
    },
    deliveryCounts: () => Promise.all(queues.filter((queue) => queue.name !== QUEUE.poll).map(countsOf)),
  };
}

/**
 * `status`'s view of the poller, from Redis rather than this process's settings: the job schedulers the running
 * poller registered (one per feed, `poll-<feed>`) and the poll workers connected now (BullMQ names their
 * connections; a Redis that refuses CLIENT LIST leaves the count unknown).
 */
export function pollerHealth(pollQueue: Queue): PollerHealth {
  return {
    async state() {
      const [schedulers, workers] = await Promise.all([
        pollQueue.getJobSchedulers(),
        pollQueue.getWorkers().then(
          (clients) =>
            clients.some((client) => /does not support/.test(client.name ?? '')) ? null : clients.length,
          () => null,
        ),
      ]);
      const schedules = schedulers
        .filter((scheduler) => scheduler.key.startsWith(POLL_SCHEDULER))
        .map((scheduler) => ({
          feed: scheduler.key.slice(POLL_SCHEDULER.length),
          everyMs: scheduler.every ?? null,
          nextAt: scheduler.next === undefined ? null : new Date(scheduler.next).toISOString(),
        }));
      return { workers, schedules };
    },
  };
}
