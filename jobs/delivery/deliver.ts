import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Announcer } from '../../src/delivery/announcer.js';
import type { ChannelPacer } from '../../src/delivery/channel-pacer.js';
import { guardScope } from '../../src/delivery/disable-guard.js';
import { postKey } from '../../src/posts/identity.js';
import { contentVersion } from '../../src/posts/version.js';
import type { LookTurns } from '../../src/delivery/look-turns.js';
import type { ChannelNotes } from '../../src/subscriptions/channel-notes.js';
import type { PostStore } from '../../src/store/post-store.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import { deliverJobSchema, deliveryNonce, type DeliverJob } from '../queues.js';
import { deliverDigest, isDigestJob, type DigestStores } from './digest-delivery.js';
import { deliverEdit } from './edit.js';
import { waitForGuard, type FailureDeps } from './failure.js';
import { createLookFirst, type LookNotes } from './look-first.js';
import { waitOutTenantHolds } from './rate-limited.js';
import { sendOnce } from './send-once.js';

/** What a deliver processor needs; one per platform. */
export interface DeliverDeps extends FailureDeps {
  announcer: Announcer;
  posts: PostStore;
  /** Per-channel pacing (Slack): at most one message per `intervalMs` per channel. */
  pacing?: { pacer: ChannelPacer; intervalMs: number };
  /** Discord: edits of crossposted messages, at most one per `intervalMs` per channel. */
  editPacing?: { pacer: ChannelPacer; intervalMs: number };
  /** Where a post that cannot go to a channel (a forum needing a tag) is noted for `subscriptions`. */
  notes?: ChannelNotes;
  /** Where looking before a re-send was not allowed, for `status` and `doctor`. */
  lookNotes?: LookNotes;
  /** What digests are built from; without it digest jobs are skipped. */
  digests?: DigestStores;
  /** One look at a time per workspace, in turn (Slack: one history read a minute per workspace). */
  lookTurns?: LookTurns;
  /** How long a look waits per look ahead of it in its workspace's line (`TURN_WAIT_MS`). */
  turnWaitMs?: number;
  /** How long a look may take before its delivery is unverified (`LOOK_DEADLINE_MS`). */
  lookDeadlineMs?: number;
}

/** How one deliver job ended (the job's return value, visible in Bull Board). */
export type DeliverOutcome =
  | { status: 'delivered'; messageId: string }
  | { status: 'already'; messageId: string }
  | { status: 'edited'; messageId: string }
  | { status: 'skipped'; reason: string };

/** The job surface the processor uses (a BullMQ `Job`). */
export type DeliverJobHandle = Pick<Job, 'id' | 'data' | 'attemptsMade' | 'opts' | 'moveToDelayed'> &
  Partial<Pick<Job, 'attemptsStarted' | 'updateData'>>;

/**
 * Added to the per-channel interval: slots exactly one interval apart reach the platform a few ms closer
 * together or further apart (scheduling jitter), and closer earns a 429.
 */
const PACING_MARGIN_MS = 20;

/** How long before its slot a paced job is woken, and the longest it then waits in the worker. */
const EARLY_WAKE_MS = 100;

/**
 * The deliver processor: ledger first (a delivered job does nothing), then holds (guard, rate limits), then
 * a look for an earlier attempt's message when one may exist, then the platform, then the ledger again,
 * written only once the platform accepted. Error kinds become queue behaviour in `failure.ts` only.
 */
export function createDeliverProcessor(deps: DeliverDeps) {
  // `notes` of the deliver deps are channel notes; look-first takes its own.
  const { notes: _channelNotes, ...lookDeps } = deps;
  const lookFirst = createLookFirst({ ...lookDeps, ...(deps.lookNotes ? { notes: deps.lookNotes } : {}) });
  return async (job: DeliverJobHandle, token?: string): Promise<DeliverOutcome> => {
    if (isDigestJob(job.data)) return deliverDigest(deps, job, token, lookFirst);
    const parsed = deliverJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`malformed deliver job: ${parsed.error.message}`);
    const data = parsed.data;
    const channel: ChannelRef = {
      platform: data.platform,
      workspaceId: data.workspaceId,
      channelId: data.channelId,
    };
    const key = postKey(data.feed, data.postId);
    if (data.action === 'edit') return deliverEdit(deps, job, token, data, channel);
    const recorded = await deps.ledger.get(key, channel);
    if (recorded) return { status: 'already', messageId: recorded.messageId };

    const ready = await loadTarget(deps, job, data, channel);
    if ('status' in ready) return ready;
    if (await deps.guard?.tripped(guardScope(channel))) throw await waitForGuard(job, token);
    await waitOutTenantHolds(deps, job, token, channel);
    await waitForChannelSlot(deps, job, token, channel);

    const target = { workspaceId: channel.workspaceId, channelId: channel.channelId, options: ready.options };
    return sendOnce(deps, job, token, lookFirst, {
      key,
      channel,
      subject: ready.post,
      target,
      nonce: deliveryNonce(ready.post, channel),
      send: (post, to, nonce) => deps.announcer.announce(post, to, nonce),
      label: ready.post.title,
      about: { postId: data.postId },
      entry: { version: contentVersion(ready.post) },
      failing: { postId: data.postId },
    });
  };
}

export async function loadTarget(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  data: DeliverJob,
  channel: ChannelRef,
) {
  const skip = (reason: string) => {
    deps.logger.info({ jobId: job.id, ...channel, postId: data.postId, reason }, 'delivery skipped');
    return { status: 'skipped' as const, reason };
  };
  const subscription = await deps.subscriptions.get(channel);
  if (!subscription) return skip('subscription removed');
  if (subscription.disabledReason !== null)
    return skip(`subscription disabled: ${subscription.disabledReason}`);
  const post = await deps.posts.get(data.feed, data.postId);
  if (!post) return skip('post not stored');
  return { post, options: subscription.options };
}

/**
 * Takes the job's own slot on the channel. Until shortly before it comes the job waits in delayed (no
 * attempt spent, no worker held); it is woken early because promotion from delayed takes tens of ms, and
 * the last moments are waited out here.
 */
export async function waitForChannelSlot(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
  pacing = deps.pacing,
): Promise<void> {
  if (!pacing) return;
  const reserve = () => pacing.pacer.reserve(channel, pacing.intervalMs + PACING_MARGIN_MS, String(job.id));
  let waitMs = await reserve();
  for (let i = 0; i < 5 && waitMs > 0 && waitMs <= EARLY_WAKE_MS; i++) {
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    waitMs = await reserve();
  }
  if (waitMs <= 0) return;
  await job.moveToDelayed(Date.now() + Math.max(1, waitMs - EARLY_WAKE_MS), token);
  throw new DelayedError();
}
