import type { BulkJobOptions, Job } from 'bullmq';
import type { AnnouncementLog } from '../../src/digests/announcement-log.js';
import type { Logger } from '../../src/logger.js';
import type { Platform, Post } from '../../src/posts/post.js';
import type { MatchDecision } from '../../src/subscriptions/matching.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import type { PostStore } from '../../src/store/post-store.js';
import type { DecisionLog } from '../../src/delivery/decisions.js';
import type { DeliveryLedger } from '../../src/delivery/ledger.js';
import { postKey } from '../../src/posts/identity.js';
import { contentVersion } from '../../src/posts/version.js';
import { matchDecision } from '../../src/subscriptions/matching.js';
import type { SubscriptionStore } from '../../src/subscriptions/subscription-store.js';
import type { Subscription } from '../../src/subscriptions/subscription.js';
import { DEFAULT_GUARD_POLICY } from '../../src/delivery/disable-guard.js';
import type { HubChannel } from '../../src/config.js';
import { announceJobSchema, deliverJobId, editJobId, type AnnounceJob, type DeliverJob } from '../queues.js';
import { hubRef } from '../../src/delivery/hub-ref.js';

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
  /** Where an edit finds the channels a post was delivered to. */
  ledger?: DeliveryLedger;
  /** Where each subscription's decision is kept for `/psf why`. */
  decisions?: DecisionLog;
  /** Discord hub channels (`DISCORD_HUB_CHANNELS`): each gets every post of its feed. */
  hubs?: readonly HubChannel[];
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
    if (announce.action === 'edit') return fanOutEdit(deps, announce, post, chunkSize);
    const announcedAt = new Date(announce.announcedAt);
    await deps.announcements?.record(post, announcedAt);
    const decided = (await deps.subscriptions.list()).map((sub) => ({
      sub,
      decision: matchDecision(sub, post, announcedAt),
    }));
    await recordDecisions(deps, post, announce.announcedAt, decided);
    // Digest channels hear about the post in their next digest, not now.
    const hubs = (deps.hubs ?? []).filter((hub) => hub.feed === post.feed);
    // A hub channel that is also subscribed gets the hub's delivery of this feed's posts, never a second one.
    const isHubChannel = (sub: Subscription) =>
      sub.platform === 'discord' && hubs.some((hub) => hub.channelId === sub.channelId);
    const matching: ChannelRef[] = decided
      .filter(
        ({ sub, decision }) =>
          (decision.kind === 'match' || justDisabled(sub, post, announcedAt)) &&
          !sub.options.digest &&
          !isHubChannel(sub),
      )
      .map(({ sub }) => sub);
    matching.push(...hubs.map((hub) => hubRef(hub.channelId)));
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
          // The version the post had at fan-out: a re-send compares it with the stored post (send-once.ts).
          data: {
            ...announce,
            version: contentVersion(post),
            platform,
            workspaceId: sub.workspaceId,
            channelId: sub.channelId,
          },
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

/**
 * Keeps each subscription's decision for `/psf why`, except those it can tell without them (a feed the
 * channel does not get, a subscription created after the announcement). Best effort: never fails the fan-out.
 */
async function recordDecisions(
  deps: FanoutDeps,
  post: { feed: string; id: string },
  announcedAt: string,
  decided: { sub: ChannelRef; decision: MatchDecision }[],
): Promise<void> {
  if (!deps.decisions) return;
  const kept = decided
    .filter(({ decision }) => decision.kind !== 'feed' && decision.kind !== 'before_subscription')
    .map(({ sub, decision }) => ({
      channel: { platform: sub.platform, workspaceId: sub.workspaceId, channelId: sub.channelId },
      decision,
    }));
  try {
    await deps.decisions.recordFanout(postKey(post.feed, post.id), announcedAt, kept);
  } catch (error) {
    deps.logger.warn({ err: error, postId: post.id }, 'could not record fan-out decisions');
  }
}

/**
 * An edit: one deliver job (action `edit`) per channel the ledger says the post was delivered to, with an
 * id per (change number, channel), through the same deliver queues, limits and processor as sends.
 */
async function fanOutEdit(
  deps: FanoutDeps,
  announce: AnnounceJob,
  post: Post,
  chunkSize: number,
): Promise<FanoutResult> {
  const result: FanoutResult = { matched: 0, queued: {}, skipped: 0 };
  const version = announce.version;
  if (!deps.ledger || !version) return result;
  const records = await deps.ledger.forPost(postKey(post.feed, post.id));
  result.matched = records.length;
  for (const [platform, queue] of Object.entries(deps.deliverQueues) as [Platform, DeliverJobQueue][]) {
    const jobs = records
      .filter((record) => record.channel.platform === platform)
      .map(({ channel }) => ({
        name: 'edit',
        data: { ...announce, platform, workspaceId: channel.workspaceId, channelId: channel.channelId },
        opts: { ...deps.jobOptions, jobId: editJobId(post, announce.seq ?? version, channel) },
      }));
    for (let start = 0; start < jobs.length; start += chunkSize)
      await queue.addBulk(jobs.slice(start, start + chunkSize));
    if (jobs.length > 0) result.queued[platform] = jobs.length;
  }
  result.skipped = records.length - Object.values(result.queued).reduce((sum, n) => sum + n, 0);
  deps.logger.info({ postId: post.id, feed: post.feed, version, ...result }, 'edit fanned out');
  return result;
}

/**
 * A subscription disabled for lost access within the mass-disable guard's window, that the post would
 * otherwise match: it still gets a job, which skips while the channel stays disabled but is re-driven should
 * the guard trip over that channel and the platform then show it reachable.
 */
function justDisabled(sub: Subscription, post: Post, announcedAt: Date): boolean {
  if (sub.disabledAt === null) return false;
  if (announcedAt.getTime() - Date.parse(sub.disabledAt) > DEFAULT_GUARD_POLICY.windowMs) return false;
  return matchDecision({ ...sub, disabledReason: null }, post, announcedAt).kind === 'match';
}
