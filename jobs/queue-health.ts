import { Queue, type ConnectionOptions } from 'bullmq';
import type { QueueHealth } from '../src/commands/types.js';
import { PLATFORMS, type Platform } from '../src/posts/post.js';
import { deliverQueueName, QUEUE } from './queues.js';

/** Every queue of the bot, for `status`, metrics and the dashboard. */
export function openAllQueues(
  connection: ConnectionOptions,
  prefix: string,
  platforms: readonly Platform[] = PLATFORMS,
): Queue[] {
  const names = [QUEUE.poll, QUEUE.announce, ...platforms.map(deliverQueueName)];
  return names.map((name) => new Queue(name, { connection, prefix }));
}

/** `status`'s queue counts from BullMQ. */
export function queueHealth(queues: readonly Queue[], notes?: () => Promise<string[]>): QueueHealth {
  return {
    ...(notes ? { notes } : {}),
    async counts() {
      const entries = await Promise.all(
        queues.map(async (queue) => {
          const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
          return [
            queue.name,
            {
              waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
              active: counts.active ?? 0,
              delayed: counts.delayed ?? 0,
              failed: counts.failed ?? 0,
            },
          ] as const;
        }),
      );
      return Object.fromEntries(entries);
    },
  };
}
