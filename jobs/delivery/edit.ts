import { DelayedError } from 'bullmq';
import { DeliveryError } from '../../src/delivery/announcer.js';
import { postKey } from '../../src/posts/identity.js';
import { contentVersion } from '../../src/posts/version.js';
import { withLook } from '../../src/templates/style.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import type { DeliverJob } from '../queues.js';
import { classifyFailure } from './failure.js';
import { waitForChannelSlot } from './channel-slot.js';
import type { DeliverDeps, DeliverJobHandle, DeliverOutcome } from './deliver.js';
import { loadTarget } from './load-target.js';
import { isHub } from '../../src/delivery/hub-ref.js';

/**
 * The `edit` action of a deliver job: rewrites the announcement the ledger recorded for (post, channel) to
 * show the post as stored now, then records the version it shows. It always renders the newest stored
 * version, so two quick changes converge: whichever job runs second finds the message already current.
 * Never sends a new message: without a ledger entry there is nothing to edit.
 */
export async function deliverEdit(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  data: DeliverJob,
  channel: ChannelRef,
): Promise<DeliverOutcome> {
  const key = postKey(data.feed, data.postId);
  const skip = (reason: string): DeliverOutcome => {
    deps.logger.info({ jobId: job.id, ...channel, postId: data.postId, reason }, 'edit skipped');
    return { status: 'skipped', reason };
  };
  const recorded = await deps.ledger.get(key, channel);
  if (!recorded) return skip('not announced in this channel');
  if (!deps.announcer.edit) return skip(`${deps.platform} announcements cannot be edited`);
  const ready = await loadTarget(deps, job, data, channel, token);
  if ('status' in ready) return ready;
  const version = contentVersion(ready.post);
  if (recorded.version === version) return { status: 'already', messageId: recorded.messageId };
  // A hub's message is published (crossposted) whatever options it has.
  const crossposted = ready.options.crosspost === true || isHub(channel);
  await waitForEditSlot(deps, job, token, channel, key, crossposted);
  try {
    // The look the message was sent with, not the subscription's current one (a change applies to later posts).
    const options = withLook(ready.options, recorded);
    const target = { workspaceId: channel.workspaceId, channelId: channel.channelId, options };
    await deps.announcer.edit(ready.post, target, recorded);
  } catch (error) {
    if (error instanceof DeliveryError && error.kind === 'unsendable')
      return skip(`${error.code}: ${error.message}`);
    if (error instanceof DeliveryError && error.kind === 'rate_limited' && crossposted) {
      // The edit limit of a published message is per channel and its Retry-After is wrong (1 s for ~20 min):
      // this job alone waits, long enough, instead of pausing every delivery again and again.
      const waitMs = Math.max(error.retryAfterMs ?? 0, CROSSPOSTED_EDIT_RETRY_MS);
      deps.logger.warn({ jobId: job.id, ...channel, waitMs }, 'edit of a crossposted message rate limited');
      await job.moveToDelayed(Date.now() + waitMs, token);
      throw new DelayedError();
    }
    throw await classifyFailure(
      deps,
      job,
      token,
      { key, channel, refusedSend: false, postId: data.postId },
      error,
    );
  }
  await deps.ledger.update(key, channel, { version, editedAt: new Date().toISOString() });
  deps.logger.debug({ jobId: job.id, ...channel, postId: data.postId, version }, 'edited');
  return { status: 'edited', messageId: recorded.messageId };
}

/** How long an edit of a crossposted message waits after a 429, whatever Retry-After said. */
const CROSSPOSTED_EDIT_RETRY_MS = 5 * 60_000;

/** Edits of one message one after another: a second edit waits this long behind the first, then finds it current. */
const EDIT_SPACING_MS = 1_000;

/**
 * Slack: the channel's message pacing. Discord: edits of published (crossposted) messages are limited per
 * channel, so they take a slot of their own pacing; other edits of one message are spaced so two quick
 * changes run one after the other (the second then finds the message current) instead of both editing.
 */
async function waitForEditSlot(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
  key: string,
  crossposted: boolean,
): Promise<void> {
  if (deps.pacing) return waitForChannelSlot(deps, job, token, channel);
  const pacing = deps.editPacing;
  if (!pacing) return;
  if (crossposted)
    return waitForChannelSlot(
      deps,
      job,
      token,
      { ...channel, channelId: `${channel.channelId}:edits` },
      pacing,
    );
  const message = { ...channel, channelId: `${channel.channelId}:edit:${key}` };
  return waitForChannelSlot(deps, job, token, message, { pacer: pacing.pacer, intervalMs: EDIT_SPACING_MS });
}
