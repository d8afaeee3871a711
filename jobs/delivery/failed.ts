import { Queue, type Job } from 'bullmq';
import { PLATFORMS, type Platform } from '../../src/posts/post.js';
import type { PostStore } from '../../src/store/post-store.js';
import {
  deliverDigestJobSchema,
  deliverJobSchema,
  deliverQueueName,
  type DeliverDigestJob,
  type QueueConnection,
} from '../queues.js';
import { withLookProgress } from './look-session.js';
import { isUnverifiedReason } from './unverified.js';

/** One delivery that exhausted its retries (or failed permanently), as `psf-bot deliveries failed` lists it. */
export interface FailedDelivery {
  jobId: string;
  platform: Platform;
  workspaceId: string;
  channelId: string;
  feed: string;
  postId: string;
  /** The post's title, or null when the post is no longer stored (or the payload is unreadable). */
  title: string | null;
  attemptsMade: number;
  lastError: string;
  /** ISO-8601. */
  failedAt: string | null;
  /**
   * No look could show in time whether an earlier attempt posted it: it may or may not be in the channel.
   * `deliveries retry` sends it without looking again.
   */
  unverified: boolean;
}

/** The deliver queues, by platform. */
export type DeliverQueues = Partial<Record<Platform, Queue>>;

/** Opens the deliver queues (for the CLI); close them with `closeQueues`. */
export function openDeliverQueues(
  { connection, prefix }: QueueConnection,
  platforms: readonly Platform[] = PLATFORMS,
): DeliverQueues {
  return Object.fromEntries(
    platforms.map((platform) => [platform, new Queue(deliverQueueName(platform), { connection, prefix })]),
  );
}

/** Closes queues opened by `openDeliverQueues`. */
export async function closeQueues(queues: DeliverQueues): Promise<void> {
  await Promise.all(Object.values(queues).map((queue) => queue.close()));
}

/** Failed deliver jobs of every given queue, newest failure first (at most `limit` per platform). */
export async function listFailedDeliveries(
  queues: DeliverQueues,
  posts: PostStore,
  limit = 1_000,
): Promise<FailedDelivery[]> {
  const found: FailedDelivery[] = [];
  for (const [platform, queue] of Object.entries(queues) as [Platform, Queue][]) {
    for (const job of await queue.getFailed(0, limit - 1)) {
      const digest = deliverDigestJobSchema.safeParse(job.data);
      if (digest.success) {
        found.push(failedDigest(job, platform, digest.data));
        continue;
      }
      const data = deliverJobSchema.safeParse(job.data);
      const post = data.success ? await posts.get(data.data.feed, data.data.postId) : null;
      found.push({
        jobId: String(job.id),
        platform,
        workspaceId: data.success ? data.data.workspaceId : '',
        channelId: data.success ? data.data.channelId : '',
        feed: data.success ? data.data.feed : '',
        postId: data.success ? data.data.postId : '',
        title: post?.title ?? null,
        attemptsMade: job.attemptsMade,
        lastError: job.failedReason ?? '',
        failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
        unverified: isUnverifiedReason(job.failedReason),
      });
    }
  }
  return found.sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? ''));
}

/** A failed digest delivery: its "post" is the period (`daily-2026-12-01`), its title says which digest. */
function failedDigest(job: Job, platform: Platform, data: DeliverDigestJob): FailedDelivery {
  return {
    jobId: String(job.id),
    platform,
    workspaceId: data.workspaceId,
    channelId: data.channelId,
    feed: 'digest',
    postId: data.periodKey,
    title: `${data.cadence} digest`,
    attemptsMade: job.attemptsMade,
    lastError: job.failedReason ?? '',
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    unverified: isUnverifiedReason(job.failedReason),
  };
}

/** What a re-drive did: ids moved back to waiting (with a fresh set of attempts), ids not failed or unknown. */
export interface RetryResult {
  retried: string[];
  notFound: string[];
}

/**
 * Re-drives failed deliveries: the given job ids, or every failed one. The deliver job still checks the
 * ledger and the subscription first, so a re-drive never posts to a disabled channel, nor twice where the
 * ledger knows the message. An unverified delivery is forced: sent without another look (the operator's
 * call; it may have been posted already).
 */
export async function retryFailedDeliveries(
  queues: DeliverQueues,
  ids?: readonly string[],
): Promise<RetryResult> {
  const result: RetryResult = { retried: [], notFound: [] };
  const all = Object.values(queues);
  const wanted =
    ids ?? (await Promise.all(all.map((queue) => queue.getFailed()))).flat().map((job) => String(job.id));
  for (const id of wanted) {
    let done = false;
    for (const queue of all) {
      const job = await queue.getJob(id);
      if (!job || (await job.getState()) !== 'failed') continue;
      if (isUnverifiedReason(job.failedReason))
        await job.updateData(withLookProgress(job.data as object, { startedAt: Date.now(), force: true }));
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      done = true;
      break;
    }
    (done ? result.retried : result.notFound).push(id);
  }
  return result;
}
