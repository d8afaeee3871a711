import { DelayedError } from 'bullmq';
import type { DigestMarks } from '../../src/digests/digest-marks.js';
import type { PostRef } from '../../src/feeds/feed-memory.js';
import type { SubscriptionOptions } from '../../src/subscriptions/subscription.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import type { DeliverJobHandle } from './deliver.js';

/**
 * Whether a post's own delivery to a channel may still happen: its fan-out has not finished, or its deliver
 * job waits, runs or is delayed. Supplied by `workers.ts` over the announce and deliver queues.
 */
export interface PerPostJobs {
  anyPending(posts: readonly PostRef[], channel: ChannelRef): Promise<boolean>;
}

/** How long a digest waits before it checks again whether the per-post deliveries it would list have settled. */
export const SETTLE_RECHECK_MS = 1_000;

/**
 * Why a post is not sent on its own to this channel, or null when it is: the channel takes digests now (the
 * digest lists it), or its last digest's period already covered the post's announcement (a channel that
 * switched `digest off` got it in its final digest). Checked on every attempt, so a job still retrying when the
 * channel switches does not post it as well.
 */
export async function heldForDigest(
  marks: DigestMarks | undefined,
  channel: ChannelRef,
  options: SubscriptionOptions,
  announcedAt: string,
): Promise<string | null> {
  if (options.digest) return `held for the ${options.digest} digest`;
  const lastEnd = await marks?.lastEnd(channel);
  if (lastEnd && Date.parse(announcedAt) <= lastEnd.getTime())
    return `covered by this channel's digest up to ${lastEnd.toISOString()}`;
  return null;
}

/**
 * A switch to or from digests settles before a digest is built from it: while any post the digest would list
 * may still be delivered on its own (fan-out not done, or its deliver job not finished), the digest waits in
 * delayed (no attempt spent). Once those jobs end, each post is either in the ledger (left out of the digest)
 * or was held for the digest (listed), never both.
 */
export async function waitForPerPostDeliveries(
  perPost: PerPostJobs | undefined,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
  posts: readonly PostRef[],
): Promise<void> {
  if (!perPost || posts.length === 0 || !(await perPost.anyPending(posts, channel))) return;
  await job.moveToDelayed(Date.now() + SETTLE_RECHECK_MS, token);
  throw new DelayedError();
}
