import { UnrecoverableError } from 'bullmq';
import type { HubChannel } from '../../src/config.js';
import { DeliveryError, type HubChannelCheck } from '../../src/delivery/announcer.js';
import type { HubInfo, HubPublishes } from '../../src/delivery/hub-publishes.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import type { SubscriptionOptions } from '../../src/subscriptions/subscription.js';
import type { DeliverJob } from '../queues.js';
import type { DeliverDeps, DeliverJobHandle } from './deliver.js';

/** How long one process trusts what Discord said a hub channel is (a text channel can be made an announcement one). */
const CHECK_TTL_MS = 10 * 60_000;

/** A problem noted for `status` is cut here: it quotes Discord's error message, whatever its length. */
const MAX_PROBLEM_LENGTH = 300;

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

/** The hub steps' clock. */
export function now(deps: Pick<DeliverDeps, 'hubs'>): Date {
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

/** The server this process or an earlier note saw the hub in; null when none did. */
async function knownServer(deps: Pick<DeliverDeps, 'hubs'>, channelId: string): Promise<string | null> {
  const checked = deps.hubs?.checked.get(channelId)?.check.serverId;
  if (checked) return checked;
  const noted = await deps.hubs?.publishes.hubs().catch(() => ({}) as Record<string, HubInfo>);
  return noted?.[channelId]?.serverId ?? null;
}

/** Notes why a hub cannot take posts (for `status` and `doctor`), logs it, and fails the job without retries. */
export async function refuse(
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
