import { DelayedError } from 'bullmq';
import {
  DeliveryError,
  type Delivered,
  type DeliveryTarget,
  type LookSubject,
} from '../../src/delivery/announcer.js';
import { guardScope } from '../../src/delivery/disable-guard.js';
import type { LedgerEntry } from '../../src/delivery/ledger.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import type { DeliverDeps, DeliverJobHandle, DeliverOutcome } from './deliver.js';
import { classifyFailure } from './failure.js';
import { LookUnfinished, type LookFirst } from './look-first.js';
import { createLookSession } from './look-session.js';
import { recordUnverified } from './unverified.js';

/** One message of the deliver path (an announcement or a digest), and what differs between them. */
export interface SendOnce<S extends LookSubject> {
  key: string;
  channel: ChannelRef;
  subject: S;
  target: DeliveryTarget;
  nonce: string;
  /** The platform call that posts the subject. */
  send(subject: S, target: DeliveryTarget, nonce: string): Promise<Delivered>;
  /** How the subject is named in the note of a channel that cannot take it. */
  label: string;
  /** What names the subject in the delivered log line (`postId`, or `digest` and its period). */
  about: Record<string, string>;
  /**
   * The version of the subject when its delivery was queued (an announcement's, at fan-out): a re-send that
   * finds the subject still at it records `entry.version` as shown; otherwise the version is unknown.
   */
  queuedVersion?: string;
  /** Ledger fields beyond the message and the time (an announcement's content version). */
  entry?: Partial<LedgerEntry>;
  /** Passed on with a failure (an announcement's `postId`). */
  failing?: { postId?: string };
  /** Run once the delivery is recorded and its attempt cleared (a digest's mark moves on). */
  afterRecord?(): Promise<void>;
}

/**
 * Looks for an earlier attempt's message, else sends; counts the send for the guard; turns a failure into
 * queue behaviour (an unsendable subject is noted and skipped); records what the platform accepted, clears the
 * attempt mark, and a forum's note about a refused message.
 */
export async function sendOnce<S extends LookSubject>(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  lookFirst: LookFirst,
  one: SendOnce<S>,
): Promise<DeliverOutcome> {
  const { key, channel, target, nonce } = one;
  let delivered: Delivered;
  let status: 'delivered' | 'already' = 'delivered';
  let sending = false;
  let first = false;
  const session = createLookSession(deps, job, token, channel);
  const forced = Boolean(session.progress?.force);
  try {
    const { earlier, ...look } = await lookFirst(key, channel, one.subject, target, nonce, session);
    first = look.first;
    if (earlier) {
      delivered = earlier;
      status = 'already';
    } else {
      // A re-send after a look that found nothing: the next look must cover this send, not the first one's. It
      // goes on the slot taken before the look. (A fresh slot after the look, parked in delayed when not free
      // within 5 s, sent re-sends back to look again: after a proxy outage hundreds of Slack re-sends in one
      // workspace went round looking, 380 of the chaos suite's 1,000 deliveries still queued after 240 s.)
      if (!first) await deps.ledger.moveAttempt(key, channel, new Date());
      sending = true;
      delivered = await one.send(one.subject, target, nonce);
      await countSend(deps, job, channel);
    }
  } catch (error) {
    if (error instanceof DelayedError) throw error; // waiting out a hold on looking, or its turn
    if (error instanceof LookUnfinished) throw await recordUnverified(deps, job, channel, one.label, error);
    if (sending) await countSend(deps, job, channel);
    if (error instanceof DeliveryError && error.kind === 'unsendable') {
      // No message of it exists only when no earlier attempt may have posted one. A digest's mark stays, so a
      // later digest still lists its posts.
      if (sending && first) await deps.ledger.clearAttempt(key, channel);
      return noteUnsendable(deps, job, channel, one.label, error);
    }
    // A refusal proves no message exists only when no earlier attempt may have posted one.
    const failing = { key, channel, refusedSend: sending && first, looking: !sending, ...one.failing };
    throw await classifyFailure(deps, job, token, failing, error);
  }
  const { messageId } = delivered;
  await deps.ledger.record(key, channel, {
    ...delivered,
    deliveredAt: new Date().toISOString(),
    ...shownEntry(one.entry, first, one.queuedVersion),
  });
  await deps.ledger.clearAttempt(key, channel);
  await one.afterRecord?.();
  // A forum that took a message again no longer needs its note about a refused one, nor a channel whose
  // unverified delivery the operator forced its note about that.
  if (target.options.forum || forced) await deps.notes?.clear(channel);
  deps.counters.increment(deps.platform, 'delivered');
  deps.logger.debug({ jobId: job.id, channelId: channel.channelId, ...one.about, messageId }, 'delivered');
  return { status, messageId };
}

/**
 * What the ledger can say a message shows. A first attempt's message shows the version it sent. After an earlier
 * attempt that may have posted, the message may be that attempt's (Discord hands it back for the same nonce, a
 * look finds it), rendered from the post as it was then, perhaps before a change the edit fan-out could not apply
 * to it (no ledger entry yet). When the post is still at the version it had when the delivery was queued, every
 * attempt rendered that one (unless it changed and changed back in between: not handled); otherwise the version
 * is recorded as `EARLIER_VERSION`, and the check after the send (`editIfStale`) edits the message to the post as
 * stored now.
 */
function shownEntry(
  entry: Partial<LedgerEntry> | undefined,
  first: boolean,
  queuedVersion: string | undefined,
): Partial<LedgerEntry> | undefined {
  if (first || !entry?.version || entry.version === queuedVersion) return entry;
  return { ...entry, version: EARLIER_VERSION };
}

/** The ledger version of a message that may show the post as an earlier attempt rendered it (never a hash). */
export const EARLIER_VERSION = 'earlier-attempt';

/** Counts a send for the mass-disable guard's share; best effort, never failing the delivery itself. */
export async function countSend(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  channel: ChannelRef,
): Promise<void> {
  await deps.guard?.sent(guardScope(channel), String(job.id)).catch((error: unknown) => {
    deps.logger.debug({ err: error }, 'could not count a send for the mass-disable guard');
  });
}

/**
 * A post or digest this channel cannot take (a forum requiring a tag none of its posts' match): skipped, not
 * retried (a retry would fail the same way), the subscription kept, and the reason noted for `subscriptions`.
 */
export async function noteUnsendable(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  channel: ChannelRef,
  title: string,
  error: DeliveryError,
): Promise<DeliverOutcome> {
  const reason = `${error.code}: ${error.message}`;
  deps.logger.warn({ jobId: job.id, ...channel, title: title.slice(0, 100), reason }, 'not deliverable here');
  await deps.notes?.set(channel, `“${title.slice(0, 100)}” was not posted: ${reason}`.slice(0, 500));
  return { status: 'skipped', reason };
}
