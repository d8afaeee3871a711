import { UnrecoverableError } from 'bullmq';
import { guardScope } from '../../src/delivery/disable-guard.js';
import type { AnnouncementLog } from '../../src/digests/announcement-log.js';
import { buildDigest } from '../../src/digests/digest.js';
import type { DigestMarks } from '../../src/digests/digest-marks.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import { deliverDigestJobSchema, digestLedgerKey, digestNonce } from '../queues.js';
import {
  countSend,
  waitForChannelSlot,
  type DeliverDeps,
  type DeliverJobHandle,
  type DeliverOutcome,
} from './deliver.js';
import { classifyFailure, waitForGuard } from './failure.js';
import { waitOutTenantHolds } from './rate-limited.js';

/** What digest deliveries read and write besides what every delivery does. */
export interface DigestStores {
  announcements: AnnouncementLog;
  marks: DigestMarks;
}

/** Whether a deliver job is a digest (`action: 'digest'`) rather than one post. */
export function isDigestJob(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { action?: unknown }).action === 'digest';
}

/**
 * One period's digest to one channel: an action of the one deliver processor, so it shares the ledger
 * (keyed by period), the mass-disable guard, the rate-limit holds, the pacing, the nonce rule and the
 * failure handling of a post. It does not look for an earlier attempt's message first (`findEarlier` reads
 * announcements only): on Slack, which takes no nonce, a crash between the send and the ledger can repeat it.
 * The channel's mark moves to the period's end once the digest is in the ledger (also when a retry finds it
 * there), or when the period had nothing to list; the next digest lists what came after it.
 */
export async function deliverDigest(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  token: string | undefined,
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
  const subscription = await deps.subscriptions.get(channel);
  if (!subscription) return skip('subscription removed');
  if (subscription.disabledReason !== null)
    return skip(`subscription disabled: ${subscription.disabledReason}`);
  if (subscription.options.digest !== data.cadence) return skip(`no longer a ${data.cadence} digest`);
  const sources = { ...stores, posts: deps.posts, ledger: deps.ledger };
  const digest = await buildDigest(sources, subscription, data.cadence, periodEnd);
  if (!digest) {
    await stores.marks.advance(channel, periodEnd);
    return skip('nothing announced for this digest');
  }
  if (await deps.guard?.tripped(guardScope(channel))) throw await waitForGuard(job, token);
  await waitOutTenantHolds(deps, job, token, channel);
  await waitForChannelSlot(deps, job, token, channel);
  let messageId: string;
  try {
    const target = {
      workspaceId: channel.workspaceId,
      channelId: channel.channelId,
      options: subscription.options,
    };
    ({ messageId } = await send(digest, target, digestNonce(channel, data.periodKey)));
  } catch (error) {
    await countSend(deps, job, channel);
    throw await classifyFailure(deps, job, token, { key, channel, refusedSend: true }, error);
  }
  await countSend(deps, job, channel);
  await deps.ledger.record(key, channel, { messageId, deliveredAt: new Date().toISOString() });
  await stores.marks.advance(channel, periodEnd);
  deps.counters.increment(deps.platform, 'delivered');
  deps.logger.debug(
    { jobId: job.id, channelId: channel.channelId, digest: data.periodKey, messageId },
    'delivered',
  );
  return { status: 'delivered', messageId };
}
