import { UnrecoverableError } from 'bullmq';
import { guardScope } from '../../src/delivery/disable-guard.js';
import type { AnnouncementLog } from '../../src/digests/announcement-log.js';
import { digestOf, digestPosts, digestSince, digestTitle } from '../../src/digests/digest.js';
import type { DigestHistory } from '../../src/digests/digest-history.js';
import type { DigestMarks } from '../../src/digests/digest-marks.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import { deliverDigestJobSchema, digestLedgerKey, digestNonce } from '../queues.js';
import { waitForChannelSlot } from './channel-slot.js';
import type { DeliverDeps, DeliverJobHandle, DeliverOutcome } from './deliver.js';
import { waitForPerPostDeliveries } from './digest-handover.js';
import { admittedSubscription, waitForGuard } from './failure.js';
import type { LookFirst } from './look-first.js';
import { waitOutTenantHolds } from './rate-limited.js';
import { sendOnce } from './send-once.js';

/** What digest deliveries read and write besides what every delivery does. */
export interface DigestStores {
  announcements: AnnouncementLog;
  marks: DigestMarks;
  /** Where each digest sent is kept, so `/psf why` can say which one listed a post. */
  history?: DigestHistory;
}

/** Whether a deliver job is a digest (`action: 'digest'`) rather than one post. */
export function isDigestJob(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { action?: unknown }).action === 'digest';
}

/**
 * One period's digest to one channel: an action of the one deliver processor, so it shares the ledger
 * (keyed by period), the mass-disable guard, the rate-limit holds, the pacing, the nonce rule and the
 * failure handling of a post, and like a post it looks for an earlier attempt's message before a re-send (Slack
 * metadata, Discord nonce then history/forum post), and a digest a forum cannot take (a required tag none of
 * its posts match) is noted, not retried.
 * Before it is built, the per-post deliveries of what it would list settle (`waitForPerPostDeliveries`), so a
 * post sent on its own while the channel switched is never listed as well.
 * The channel's mark moves to the period's end once the digest is in the ledger (also when a retry finds it
 * there), or when the period had nothing to list; the next digest lists what came after it, and a per-post job
 * of a post announced up to the mark is skipped (`heldForDigest`).
 */
export async function deliverDigest(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  lookFirst: LookFirst,
): Promise<DeliverOutcome> {
  const parsed = deliverDigestJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`malformed digest job: ${parsed.error.message}`);
  const data = parsed.data;
  const channel: ChannelRef = {
    platform: data.platform,
    workspaceId: data.workspaceId,
    channelId: data.channelId,
  };
  const periodEnd = new Date(data.periodEnd);
  const key = digestLedgerKey(data.periodKey);
  const skip = (reason: string): DeliverOutcome => {
    deps.logger.info({ jobId: job.id, ...channel, digest: data.periodKey, reason }, 'digest skipped');
    return { status: 'skipped', reason };
  };
  const stores = deps.digests;
  const send = deps.announcer.sendDigest?.bind(deps.announcer);
  if (!stores || !send) return skip('digests are not set up in this worker');
  const recorded = await deps.ledger.get(key, channel);
  if (recorded) {
    await stores.marks.advance(channel, periodEnd);
    return { status: 'already', messageId: recorded.messageId };
  }
  const subscription = await admittedSubscription(deps, job, token, channel);
  if ('skip' in subscription) return skip(subscription.skip);
  if (data.final) {
    // Switched on again meanwhile: the next regular digest lists these posts.
    if (subscription.options.digest) return skip('digest switched on again');
  } else if (subscription.options.digest !== data.cadence) return skip(`no longer a ${data.cadence} digest`);
  const sources = { ...stores, posts: deps.posts, ledger: deps.ledger };
  const since = await digestSince(sources, subscription, data.cadence, periodEnd);
  const listed = await digestPosts(sources, subscription, data.cadence, periodEnd);
  await waitForPerPostDeliveries(deps.perPost, job, token, channel, listed);
  const digest = digestOf(data.cadence, periodEnd, listed);
  if (!digest) {
    await stores.marks.advance(channel, periodEnd);
    return skip('nothing announced for this digest');
  }
  if (await deps.guard?.tripped(guardScope(channel))) throw await waitForGuard(job, token);
  await waitOutTenantHolds(deps, job, token, channel);
  await waitForChannelSlot(deps, job, token, channel);
  const target = {
    workspaceId: channel.workspaceId,
    channelId: channel.channelId,
    options: subscription.options,
  };
  return sendOnce(deps, job, token, lookFirst, {
    key,
    channel,
    subject: digest,
    target,
    nonce: digestNonce(channel, data.periodKey),
    send,
    label: `${digestTitle(digest)} (${data.periodKey})`,
    about: { digest: data.periodKey },
    afterRecord: async () => {
      const sent = { cadence: data.cadence, periodKey: data.periodKey, since: since.toISOString() };
      await stores.history?.record(channel, { ...sent, end: data.periodEnd });
      await stores.marks.advance(channel, periodEnd);
    },
  });
}
