import { DelayedError, UnrecoverableError } from 'bullmq';
import type { HubChannel } from '../../src/config.js';
import { DeliveryError, type HubChannelCheck } from '../../src/delivery/announcer.js';
import type { HubInfo, HubPublishes } from '../../src/delivery/hub-publishes.js';
import type { LedgerEntry } from '../../src/delivery/ledger.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import type { SubscriptionOptions } from '../../src/subscriptions/subscription.js';
import type { DeliverJob } from '../queues.js';
import type { DeliverDeps, DeliverJobHandle, DeliverOutcome } from './deliver.js';
import { reactToRateLimit } from './rate-limited.js';

/** How long one process trusts what Discord said a hub channel is (a text channel can be made an announcement one). */
const CHECK_TTL_MS = 10 * 60_000;

/** Discord's "Cannot execute action on this channel type": a crosspost outside an announcement channel. */
const WRONG_CHANNEL_TYPE = '50024';

/** A problem noted for `status` is cut here: it quotes Discord's error message, whatever its length. */
const MAX_PROBLEM_LENGTH = 300;

/** Spreads the wake-ups of posts waiting for the same hub's slot. */
const WAKE_JITTER_MS = 1_000;

/** What the deliver processor needs for hub channels. */
export interface HubDeps {
  channels: readonly HubChannel[];
  publishes: HubPublishes;
  now?: () => Date;
  /** This process's checks of each hub channel, by id (`hubDeps` makes it). */
  checked: Map<string, { at: number; check: HubChannelCheck }>;
}

/** The hub part of a deliver processor's dependencies. */
export function hubDeps(channels: readonly HubChannel[], publishes: HubPublishes): HubDeps {
  return { channels, publishes, checked: new Map() };
}

function now(deps: Pick<DeliverDeps, 'hubs'>): Date {
  return deps.hubs?.now?.() ?? new Date();
}

/**
 * The load step of a hub's delivery: the hub still configured for the post's feed, the post stored, and the
 * channel an announcement channel (asked of Discord, `GET /channels/{id}`). A channel that is not one is
 * refused: nothing is sent, the job fails (re-drivable once the channel is fixed), and `status` and `doctor` say why.
 */
export async function loadHub(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  data: DeliverJob,
  channel: ChannelRef,
) {
  const skip = (reason: string) => {
    deps.logger.info({ jobId: job.id, ...channel, postId: data.postId, reason }, 'delivery skipped');
    return { status: 'skipped' as const, reason };
  };
  const hub = deps.hubs?.channels.find((h) => h.channelId === channel.channelId && h.feed === data.feed);
  if (!hub || !deps.hubs) return skip('no longer a hub of this feed (DISCORD_HUB_CHANNELS)');
  const post = await deps.posts.get(data.feed, data.postId);
  if (!post) return skip('post not stored');
  const check = await checkHub(deps, deps.hubs, hub);
  if (!check.announcement) {
    const problem = `it is not an announcement channel (type ${check.type}); other servers can only follow an announcement channel (type 5)`;
    throw await refuse(deps, hub, check.serverId, problem, job);
  }
  const options: SubscriptionOptions = {};
  return { post, options };
}

/** What Discord says the hub channel is, asked at most once per `CHECK_TTL_MS` per process, and noted for `status`. */
async function checkHub(deps: DeliverDeps, hubs: HubDeps, hub: HubChannel): Promise<HubChannelCheck> {
  const known = hubs.checked.get(hub.channelId);
  if (known && Date.now() - known.at < CHECK_TTL_MS) return known.check;
  if (!deps.announcer.checkHub) throw new UnrecoverableError(`${deps.platform} has no hub channels`);
  let check: HubChannelCheck;
  try {
    check = await deps.announcer.checkHub(hub.channelId);
  } catch (error) {
    if (error instanceof DeliveryError && error.kind === 'permanent')
      throw await refuse(deps, hub, null, `Discord refused to show it: ${error.code} ${error.message}`);
    throw error; // transient, rate limited: the job retries
  }
  // Only a good answer is kept: a channel fixed by the operator is seen at the next retry.
  if (!check.announcement) return check;
  hubs.checked.set(hub.channelId, { at: Date.now(), check });
  await hubs.publishes.note(hub.channelId, {
    feed: hub.feed,
    ...(check.serverId ? { serverId: check.serverId } : {}),
    checkedAt: now(deps).toISOString(),
  });
  return check;
}

/**
 * A lost-access answer (403 50001/50013, 404 10003) to a hub's send: nothing to disable (a hub is config, not a
 * subscription, and the mass-disable guard counts subscriptions); noted for `status`, and the job fails.
 */
export async function hubRefusal(
  deps: Pick<DeliverDeps, 'counters' | 'logger' | 'platform' | 'hubs'>,
  channel: ChannelRef,
  problem: string,
  job: DeliverJobHandle,
): Promise<UnrecoverableError> {
  const hub = deps.hubs?.channels.find((h) => h.channelId === channel.channelId) ?? {
    feed: 'unknown',
    channelId: channel.channelId,
  };
  return refuse(deps, hub, null, problem, job);
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

/** The server this process or an earlier note saw the hub in; null when none did. */
async function knownServer(deps: Pick<DeliverDeps, 'hubs'>, channelId: string): Promise<string | null> {
  const checked = deps.hubs?.checked.get(channelId)?.check.serverId;
  if (checked) return checked;
  const noted = await deps.hubs?.publishes.hubs().catch(() => ({}) as Record<string, HubInfo>);
  return noted?.[channelId]?.serverId ?? null;
}

/** Notes why a hub cannot take posts (for `status` and `doctor`), logs it, and fails the job without retries. */
async function refuse(
  deps: Pick<DeliverDeps, 'counters' | 'logger' | 'platform' | 'hubs'>,
  hub: HubChannel,
  serverId: string | null,
  problem: string,
  job?: DeliverJobHandle,
): Promise<UnrecoverableError> {
  // The hub's server, as last known, keys the note: its managers see it in `status` (none known: the operator).
  const server = serverId ?? (await knownServer(deps, hub.channelId));
  await deps.hubs?.publishes.note(hub.channelId, {
    feed: hub.feed,
    ...(server ? { serverId: server } : {}),
    problem: problem.slice(0, MAX_PROBLEM_LENGTH),
    checkedAt: now(deps).toISOString(),
  });
  deps.counters.increment(deps.platform, 'failed');
  deps.logger.error(
    { jobId: job?.id, hubChannelId: hub.channelId, feed: hub.feed, problem },
    `hub channel ${hub.channelId} (DISCORD_HUB_CHANNELS, feed ${hub.feed}) cannot take posts: ${problem}`,
  );
  return new UnrecoverableError(`hub channel ${hub.channelId}: ${problem}`);
}

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
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  deps.counters.increment(deps.platform, lastAttempt ? 'failed' : 'retried');
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
