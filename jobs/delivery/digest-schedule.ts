import { Queue } from 'bullmq';
import { cronPattern, DIGEST_CADENCES, type DigestSchedule } from '../../src/digests/period.js';
import { digestSchedulerId, QUEUE, RETENTION, type QueueConnection } from '../queues.js';

/**
 * Upserts one BullMQ job scheduler per cadence on the `digest` queue, firing at each boundary (cron, UTC).
 * However many workers upsert them, each boundary yields one planning job. While every process is down the
 * scheduler's next job waits in Redis and runs, late, when a worker is back. Upserting again with a new
 * `DIGEST_TIME` moves the boundaries.
 */
export async function upsertDigestSchedulers(
  { connection, prefix }: QueueConnection,
  schedule: DigestSchedule,
): Promise<void> {
  const queue = new Queue(QUEUE.digest, { connection, prefix });
  try {
    for (const cadence of DIGEST_CADENCES) {
      await queue.upsertJobScheduler(
        digestSchedulerId(cadence),
        { pattern: cronPattern(cadence, schedule), tz: 'UTC' },
        {
          name: 'digest',
          data: { cadence },
          opts: { attempts: 10, backoff: { type: 'exponential', delay: 1_000 }, ...RETENTION },
        },
      );
    }
  } finally {
    await queue.close();
  }
}
