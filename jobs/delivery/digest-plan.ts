import type { BulkJobOptions, Job } from 'bullmq';
import { latestPeriod, type DigestSchedule } from '../../src/digests/period.js';
import type { Logger } from '../../src/logger.js';
import type { Platform } from '../../src/posts/post.js';
import type { SubscriptionStore } from '../../src/subscriptions/subscription-store.js';
import { digestJobId, digestPlanJobSchema, type DeliverDigestJob } from '../queues.js';

/** The one thing the planner needs of a deliver queue (a BullMQ `Queue`). */
export interface DigestJobQueue {
  addBulk(jobs: { name: string; data: DeliverDigestJob; opts: BulkJobOptions }[]): Promise<unknown>;
}

/** What the digest planner needs. */
export interface DigestPlanDeps {
  subscriptions: SubscriptionStore;
  deliverQueues: Partial<Record<Platform, DigestJobQueue>>;
  jobOptions: BulkJobOptions;
  schedule: DigestSchedule;
  /** The clock: tests control it; production passes `() => new Date()`. */
  now: () => Date;
  logger: Logger;
  /**
   * How long after the boundary digests are built (default 10 s), so that a post announced just before it,
   * whose announcement is still being written, is in this digest rather than in none.
   */
  settleMs?: number;
}

/** Default wait between a boundary and the digests built for it. */
export const DIGEST_SETTLE_MS = 10_000;

/** What one planning run queued. */
export interface DigestPlanResult {
  period: string;
  queued: number;
}

/**
 * The `digest` processor (run by the announce worker when a digest scheduler fires): queues one digest
 * delivery per enabled channel of that cadence for the latest period due, with an id per (channel,
 * period). A scheduler job that runs late after downtime plans the newest missed period (which lists
 * everything since that channel's last digest), and a second planner at the same boundary adds nothing.
 */
export function createDigestPlanner(deps: DigestPlanDeps) {
  return async (job: Pick<Job, 'data' | 'id' | 'opts' | 'repeatJobKey'>): Promise<DigestPlanResult> => {
    const { cadence } = digestPlanJobSchema.parse(job.data);
    const now = deps.now().getTime();
    // A scheduler's job knows the boundary it was made for; a worker whose clock lags a little behind Redis
    // must not take it for the previous one (which would push this digest back a whole period).
    const scheduledAt = job.repeatJobKey ? (job.opts.prevMillis ?? 0) : 0;
    const period = latestPeriod(cadence, deps.schedule, new Date(Math.max(now, scheduledAt)));
    const delay = Math.max(0, period.end.getTime() + (deps.settleMs ?? DIGEST_SETTLE_MS) - now);
    const channels = (await deps.subscriptions.list()).filter(
      (sub) => sub.disabledReason === null && sub.options.digest === cadence,
    );
    let queued = 0;
    for (const [platform, queue] of Object.entries(deps.deliverQueues) as [Platform, DigestJobQueue][]) {
      const jobs = channels
        .filter((sub) => sub.platform === platform)
        .map((sub) => ({
          name: 'digest',
          data: {
            action: 'digest' as const,
            platform,
            workspaceId: sub.workspaceId,
            channelId: sub.channelId,
            cadence,
            periodKey: period.key,
            periodEnd: period.end.toISOString(),
          },
          opts: { ...deps.jobOptions, jobId: digestJobId(sub, period.key), delay },
        }));
      if (jobs.length > 0) await queue.addBulk(jobs);
      queued += jobs.length;
    }
    deps.logger.info({ jobId: job.id, period: period.key, queued }, 'digests planned');
    return { period: period.key, queued };
  };
}
