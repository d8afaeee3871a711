import type { BulkJobOptions, Job } from 'bullmq';
import type { AnnouncementLog } from '../../src/digests/announcement-log.js';
import type { Logger } from '../../src/logger.js';
import type { Platform } from '../../src/posts/post.js';
import type { PostStore } from '../../src/store/post-store.js';
import { subscriptionMatches } from '../../src/subscriptions/matching.js';
import type { SubscriptionStore } from '../../src/subscriptions/subscription-store.js';
import { announceJobSchema, deliverJobId, type DeliverJob } from '../queues.js';

/** The one thing fan-out needs of a deliver queue (a BullMQ `Queue`). */
export interface DeliverJobQueue {
  addBulk(jobs: { name: string; data: DeliverJob; opts: BulkJobOptions }[]): Promise<unknown>;
}

/** What the fan-out processor needs. */
export interface FanoutDeps {
  posts: PostStore;
  subscriptions: SubscriptionStore;
  /** Deliver queues of the enabled platforms; subscriptions of other platforms are skipped (logged). */
  deliverQueues: Partial<Record<Platform, DeliverJobQueue>>;
  /** Options of each deliver job (attempts, backoff, retention): `deliverJobOptions(...)`. */
  jobOptions: BulkJobOptions;
  logger: Logger;
  /** Deliver jobs per `addBulk` call. */
  chunkSize?: number;
  /** Where each announced post is logged for digests (digest channels get no per-post delivery). */
  announcements?: AnnouncementLog;
}

/** What one fan-out did: deliver jobs queued per platform (duplicates of earlier runs included). */
export interface FanoutResult {
  matched: number;
  queued: Partial<Record<Platform, number>>;
  skipped: number;
}

/**
 * The `announce` processor: one deliver job per matching subscription, with deterministic ids, so a
 * re-run after a crash or retry re-adds the same ids and BullMQ ignores the duplicates.
 */
export function createFanoutProcessor(
  deps: FanoutDeps,
): (job: Pick<Job, 'data' | 'id'>) => Promise<FanoutResult> {
  const chunkSize = deps.chunkSize ?? 500;
  return async (job) => {
    const announce = announceJobSchema.parse(job.data);
    const post = await deps.posts.get(announce.feed, announce.postId);
    const result: FanoutResult = { matched: 0, queued: {}, skipped: 0 };
    if (!post) {
      deps.logger.warn(
        { jobId: job.id, feed: announce.feed, postId: announce.postId },
        'announced post is not stored; nothing to fan out',
      );
      return result;
    }
    const announcedAt = new Date(announce.announcedAt);
    await deps.announcements?.record(post, announcedAt);
    // Digest channels hear about the post in their next digest, not now.
    const matching = (await deps.subscriptions.list()).filter(
      (sub) => subscriptionMatches(sub, post, announcedAt) && !sub.options.digest,
    );
    result.matched = matching.length;
    for (const sub of matching.filter((sub) => !deps.deliverQueues[sub.platform])) {
      result.skipped += 1;
      deps.logger.warn(
        { platform: sub.platform, channelId: sub.channelId, postId: post.id },
        'platform not enabled: subscription skipped',
      );
    }
    for (const [platform, queue] of Object.entries(deps.deliverQueues) as [Platform, DeliverJobQueue][]) {
      const jobs = matching
        .filter((sub) => sub.platform === platform)
        .map((sub) => ({
          name: 'deliver',
          data: { ...announce, platform, workspaceId: sub.workspaceId, channelId: sub.channelId },
          opts: { ...deps.jobOptions, jobId: deliverJobId(post, sub) },
        }));
      for (let start = 0; start < jobs.length; start += chunkSize) {
        await queue.addBulk(jobs.slice(start, start + chunkSize));
      }
      if (jobs.length > 0) result.queued[platform] = jobs.length;
    }
    deps.logger.info({ jobId: job.id, postId: post.id, feed: post.feed, ...result }, 'fanned out');
    return result;
  };
}
