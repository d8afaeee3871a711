import { UnrecoverableError, type Job } from 'bullmq';
import type { Announcer } from '../../src/delivery/announcer.js';
import type { ChannelPacer } from '../../src/delivery/channel-pacer.js';
import { guardScope } from '../../src/delivery/disable-guard.js';
import { postKey } from '../../src/posts/identity.js';
import { contentVersion } from '../../src/posts/version.js';
import { lookOf } from '../../src/templates/style.js';
import type { LookTurns } from '../../src/delivery/look-turns.js';
import type { ChannelNotes } from '../../src/subscriptions/channel-notes.js';
import type { PostStore } from '../../src/store/post-store.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import { deliverJobSchema, deliveryNonce } from '../queues.js';
import { deliverDigest, isDigestJob, type DigestStores } from './digest-delivery.js';
import { heldForDigest, type PerPostJobs } from './digest-handover.js';
import { deliverEdit } from './edit.js';
import { waitForGuard, type FailureDeps } from './failure.js';
import { createLookFirst, type LookNotes } from './look-first.js';
import { waitOutTenantHolds } from './rate-limited.js';
import { loadTarget } from './load-target.js';
import { sendOnce } from './send-once.js';
import { waitForChannelSlot } from './channel-slot.js';
import { editIfStale, type EditQueue } from './stale-send.js';
import { isHub } from '../../src/delivery/hub-ref.js';
import type { HubDeps } from './hub.js';
import { publishHub, waitForHubSlot } from './hub-publish.js';

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
  /** Whether a post's own delivery may still happen: a digest waits for those before it is built. */
  perPost?: PerPostJobs;
  /** Where a send that recorded an older version than the stored post queues its own edit. */
  editQueue?: EditQueue;
  /** Discord hub channels (`DISCORD_HUB_CHANNELS`) and their shared publish windows. */
  hubs?: HubDeps;
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
    const hub = isHub(channel);
    const recorded = await deps.ledger.get(key, channel);
    // A hub's message is sent but not yet published: only the publish is left (then the stale check, below).
    if (recorded && hub && !recorded.crosspostedAt) {
      // A retry, maybe hours later: the publish needs a slot of the hub's hour again (it keeps one it holds).
      await waitForHubSlot(deps, job, token, channel, key);
      const published = await publishHub(deps, job, token, key, channel, recorded);
      await editIfStale(deps, job, data, channel);
      return published;
    }
    if (recorded) {
      await editIfStale(deps, job, data, channel);
      return { status: 'already', messageId: recorded.messageId };
    }

    const ready = await loadTarget(deps, job, data, channel, token);
    if ('status' in ready) return ready;
    const held = await heldForDigest(deps.digests?.marks, channel, ready.options, data.announcedAt);
    if (held) {
      // An earlier attempt may have posted it (its answer lost): skipping would let the digest list it a second
      // time. This delivery finishes instead (a look first), and the digest, which waits for it, leaves it out.
      if (!(await deps.ledger.attemptedAt(key, channel))) {
        deps.logger.info(
          { jobId: job.id, ...channel, postId: data.postId, reason: held },
          'delivery skipped',
        );
        return { status: 'skipped', reason: held };
      }
      deps.logger.info(
        { jobId: job.id, ...channel, postId: data.postId, reason: held },
        'held for a digest, but an earlier attempt may have posted it: finishing this delivery',
      );
    }
    if (await deps.guard?.tripped(guardScope(channel))) throw await waitForGuard(job, token);
    await waitOutTenantHolds(deps, job, token, channel);
    await waitForChannelSlot(deps, job, token, channel);
    if (hub) await waitForHubSlot(deps, job, token, channel, key);

    const target = { workspaceId: channel.workspaceId, channelId: channel.channelId, options: ready.options };
    const outcome = await sendOnce(deps, job, token, lookFirst, {
      key,
      channel,
      subject: ready.post,
      target,
      nonce: deliveryNonce(ready.post, channel),
      send: (post, to, nonce) => deps.announcer.announce(post, to, nonce),
      label: ready.post.title,
      about: { postId: data.postId },
      entry: { version: contentVersion(ready.post), ...lookOf(ready.options) },
      ...(data.version ? { queuedVersion: data.version } : {}),
      failing: { postId: data.postId },
    });
    if (outcome.status === 'skipped') return outcome;
    const sent = hub ? await deps.ledger.get(key, channel) : null;
    const published =
      sent && !sent.crosspostedAt ? await publishHub(deps, job, token, key, channel, sent) : null;
    // A hub's message as well: a post changed while it was sent gets its edit, which Discord copies to followers.
    await editIfStale(deps, job, data, channel);
    return published ?? outcome;
  };
}
