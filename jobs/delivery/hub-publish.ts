import { DelayedError, UnrecoverableError } from 'bullmq';
import { DeliveryError } from '../../src/delivery/announcer.js';
import type { LedgerEntry } from '../../src/delivery/ledger.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import type { DeliverDeps, DeliverJobHandle, DeliverOutcome } from './deliver.js';
import { countFailedAttempt, WRONG_CHANNEL_TYPE } from './failure.js';
import { now, refuse } from './hub.js';
import { reactToRateLimit } from './rate-limited.js';

// A hub's publish (crosspost), the second step of its delivery: a slot of the hub's hour, then the publish,
// recorded in the ledger and retried by the deliver job; hub.ts has the load step and the refusals.

/** Discord's "Unknown Message": the message to publish is gone. */
const UNKNOWN_MESSAGE = '10008';

/** Spreads the wake-ups of posts waiting for the same hub's slot. */
const WAKE_JITTER_MS = 1_000;

/**
 * Takes the post's publish slot of the hub's rolling hour (shared by every worker process) before its message is
 * sent, so the message and its publish go out together, and again before a retried publish (a post keeps a slot
 * it holds; one that left the hour takes a new one). Without a free slot the job waits in delayed (no attempt
 * spent) until the oldest publish leaves the window.
 */
export async function waitForHubSlot(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
  key: string,
): Promise<void> {
  if (!deps.hubs) return;
  const slot = await deps.hubs.publishes.take(channel.channelId, key, now(deps));
  if (slot.taken) return;
  deps.logger.info(
    { jobId: job.id, hubChannelId: channel.channelId, waitMs: slot.waitMs },
    'hub publish window full: the post waits for a slot',
  );
  await job.moveToDelayed(Date.now() + slot.waitMs + Math.floor(Math.random() * WAKE_JITTER_MS), token);
  throw new DelayedError();
}

/**
 * The hub's second step: publishes the recorded message to the hub's followers and records that it did. A retry
 * of the job finds the message recorded and comes straight here: it never sends the message again.
 */
export async function publishHub(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  key: string,
  channel: ChannelRef,
  entry: LedgerEntry,
): Promise<DeliverOutcome> {
  if (!deps.announcer.publish) throw new UnrecoverableError(`${deps.platform} cannot publish to followers`);
  try {
    await deps.announcer.publish(channel.channelId, entry.messageId);
  } catch (error) {
    if (error instanceof DeliveryError && error.code === UNKNOWN_MESSAGE) {
      // Someone deleted the hub's message before its publish: nothing is left to publish, and sending it again
      // would undo a moderator's choice. Discord said so itself (a JSON code), so no retry can change it.
      await deps.hubs?.publishes.unpublished(channel.channelId, key, false);
      const reason = `the hub's message was deleted before its publish (${UNKNOWN_MESSAGE} Unknown Message)`;
      deps.logger.warn(
        { jobId: job.id, hubChannelId: channel.channelId, messageId: entry.messageId },
        reason,
      );
      return { status: 'skipped', reason };
    }
    throw await publishFailure(deps, job, token, channel, key, error);
  }
  await deps.ledger.update(key, channel, { crosspostedAt: now(deps).toISOString() });
  await deps.hubs?.publishes.unpublished(channel.channelId, key, false);
  await noteWorking(deps, channel.channelId);
  deps.logger.info(
    { jobId: job.id, hubChannelId: channel.channelId, messageId: entry.messageId },
    'published to the hub channel followers',
  );
  return { status: 'delivered', messageId: entry.messageId };
}

/** A failed publish: waits out a 429, retries with back-off what may pass, fails what cannot. */
async function publishFailure(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
  key: string,
  error: unknown,
): Promise<Error> {
  const hub = deps.hubs?.channels.find((h) => h.channelId === channel.channelId);
  if (error instanceof DeliveryError && error.kind === 'rate_limited') {
    deps.counters.increment(deps.platform, 'rate_limited');
    deps.logger.warn(
      { jobId: job.id, hubChannelId: channel.channelId, waitMs: error.retryAfterMs },
      'hub publish rate limited: waiting',
    );
    return reactToRateLimit(deps, job, token, channel, error);
  }
  const cannot =
    error instanceof DeliveryError &&
    (error.kind === 'permanent' || error.kind === 'rejected' || error.code === WRONG_CHANNEL_TYPE);
  if (cannot && hub) {
    deps.hubs?.checked.delete(channel.channelId);
    await deps.hubs?.publishes.unpublished(channel.channelId, key, true);
    return refuse(deps, hub, null, `the publish was refused: ${error.code} ${error.message}`, job);
  }
  const lastAttempt = countFailedAttempt(deps, job);
  if (lastAttempt) await deps.hubs?.publishes.unpublished(channel.channelId, key, true);
  deps.logger.warn(
    {
      jobId: job.id,
      hubChannelId: channel.channelId,
      err: error,
      attempt: job.attemptsMade + 1,
      lastAttempt,
    },
    'hub publish failed',
  );
  return error instanceof Error ? error : new Error(String(error));
}

/** A publish went out: whatever problem was noted for the hub is over (at most 10 publishes an hour write this). */
async function noteWorking(deps: DeliverDeps, channelId: string): Promise<void> {
  const hub = deps.hubs?.channels.find((h) => h.channelId === channelId);
  if (!hub || !deps.hubs) return;
  const serverId = deps.hubs.checked.get(channelId)?.check.serverId;
  await deps.hubs.publishes.note(channelId, {
    feed: hub.feed,
    ...(serverId ? { serverId } : {}),
    checkedAt: now(deps).toISOString(),
  });
}
