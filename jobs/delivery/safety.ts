import type { RedisClient } from '../../src/store/redis-client.js';
import { RedisDeliveryNotes } from '../../src/delivery/delivery-notes.js';
import { hubStatusLine, RedisHubPublishes, type HubPublishes } from '../../src/delivery/hub-publishes.js';
import { RedisDisableGuard, type GuardTrip } from '../../src/delivery/disable-guard.js';
import { RedisLookTurns, type LookTurns } from '../../src/delivery/look-turns.js';
import { RedisTenantHolds, type TenantHolds } from '../../src/delivery/tenant-holds.js';
import type { DeliveryNote, Tenant } from '../../src/commands/types.js';
import type { Platform } from '../../src/posts/post.js';
import type { InvalidStanding } from '../../src/delivery/request-budget.js';
import type { ReadinessCheck } from '../web/readiness.js';
import { duration } from '../../src/commands/status.js';
import { tenantKeys } from './rate-limited.js';

/**
 * The Redis-backed parts that keep delivery safe: per-tenant 429 holds, the mass-disable guard, notes, and
 * the per-workspace line of looks before a re-send.
 */
export function deliverySafety(redis: RedisClient, prefix: string) {
  return {
    holds: new RedisTenantHolds(redis, prefix),
    guard: new RedisDisableGuard(redis, prefix),
    notes: new RedisDeliveryNotes(redis, prefix),
    turns: new RedisLookTurns(redis, prefix),
    hubs: new RedisHubPublishes(redis, prefix),
  };
}

/**
 * Per-tenant 429 holds, the mass-disable guard (and its probe's first back-off), delivery notes, and the
 * per-workspace line of looks before a re-send (Slack's history limits) with its wait and deadline.
 */
export interface DeliverySafety {
  holds: TenantHolds;
  guard: RedisDisableGuard;
  notes: RedisDeliveryNotes;
  probeMs?: number;
  turns?: LookTurns;
  turnWaitMs?: number;
  lookDeadlineMs?: number;
}

/**
 * The look's deadline, and on Slack (one history read a minute per workspace for apps outside the
 * Marketplace) its turns: one look at a time per workspace.
 */
export function lookLimits(platform: Platform, safety: DeliverySafety) {
  return {
    ...(platform === 'slack' && safety.turns ? { lookTurns: safety.turns } : {}),
    ...(safety.turnWaitMs !== undefined ? { turnWaitMs: safety.turnWaitMs } : {}),
    ...(safety.lookDeadlineMs !== undefined ? { lookDeadlineMs: safety.lookDeadlineMs } : {}),
  };
}

/** `/readyz`'s `delivery` check: not ready, naming the platform and why, while the guard pauses one. */
export function guardReadiness(
  guard: Pick<RedisDisableGuard, 'trips'>,
  platforms: readonly Platform[],
): ReadinessCheck {
  return async () => {
    const trips = (await Promise.all(platforms.map((platform) => guard.trips(platform)))).flat();
    const paused = trips.map(
      ({ scope, trip }) =>
        `${scopeName(scope, trip)} paused by the mass-disable guard (${trip.reason}${trip.probe ? `; last probe: ${trip.probe}` : ''})`,
    );
    return paused.length === 0 || paused.join('; ');
  };
}

/** A guard scope in words: `discord`, or `slack workspace T123`. */
function scopeName(scope: string, trip: GuardTrip): string {
  return scope.includes(':') ? `${scope.split(':')[0]} workspace ${trip.workspaceId}` : scope;
}

/**
 * `status`'s delivery notes, each keyed by the server or workspace it concerns: guard pauses, workspaces where
 * the bot may not look before re-sending, and the asking workspace's rate-limit hold. A platform-wide pause
 * (Discord) is keyed by the server whose failure tripped it; the platform's other servers see it without the
 * reason, which may name that server's channel.
 */
export async function deliveryStatusNotes(
  safety: ReturnType<typeof deliverySafety>,
  platforms: readonly Platform[],
  asking?: Tenant,
  /** The hub channels this bot runs (`DISCORD_HUB_CHANNELS`); absent: every hub noted in Redis (the operator). */
  hubIds?: readonly string[],
): Promise<DeliveryNote[]> {
  const trips = (await Promise.all(platforms.map((platform) => safety.guard.trips(platform)))).flat();
  const paused = trips.map(({ scope, trip }): DeliveryNote => {
    const tenant = { platform: scope.split(':')[0] as Platform, workspaceId: trip.workspaceId };
    const since = `Deliveries to ${scopeName(scope, trip)} are PAUSED by the mass-disable guard since ${trip.at}`;
    const platformWide = !scope.includes(':');
    return {
      tenant,
      text: `${since}: ${trip.reason}`,
      ...(platformWide
        ? {
            shared: `${since}: the bot's access is being checked; held announcements are sent when it clears.`,
          }
        : {}),
    };
  });
  const probes = trips.flatMap(({ scope, trip }): DeliveryNote[] =>
    trip.probe
      ? [
          {
            tenant: { platform: scope.split(':')[0] as Platform, workspaceId: trip.workspaceId },
            text: `${scopeName(scope, trip)}: the probe that would resume deliveries fails: ${trip.probe}.`,
            operator: true,
          },
        ]
      : [],
  );
  return [
    ...paused,
    ...probes,
    ...(await heldNotes(safety.guard, platforms)),
    ...(await safety.notes.entries()),
    ...(await holdNotes(safety, asking)),
    ...(await hubNotes(safety.hubs, new Date(), hubIds)),
  ];
}

/**
 * Channels the guard still holds after their platform resumed, by server or workspace: neither disabled nor
 * sent to until the platform says whether the bot still has access there.
 */
async function heldNotes(
  guard: Pick<RedisDisableGuard, 'heldScopes' | 'suspects'>,
  platforms: readonly Platform[],
): Promise<DeliveryNote[]> {
  const scopes = (await Promise.all(platforms.map((platform) => guard.heldScopes(platform)))).flat();
  const held = new Map<string, { tenant: Tenant; channels: number }>();
  for (const scope of scopes)
    for (const { channel } of await guard.suspects(scope)) {
      const key = `${channel.platform} ${channel.workspaceId}`;
      const entry = held.get(key) ?? {
        tenant: { platform: channel.platform, workspaceId: channel.workspaceId },
        channels: 0,
      };
      entry.channels += 1;
      held.set(key, entry);
    }
  return [...held.values()].map(({ tenant, channels }) => ({
    tenant,
    text:
      `${channels === 1 ? '1 channel' : `${channels} channels`} of ${tenant.platform} ${tenant.platform === 'discord' ? 'server' : 'workspace'} ${tenant.workspaceId} ` +
      `answered that the bot lost access and ${channels === 1 ? 'is' : 'are'} held until ${tenant.platform} confirms it: ` +
      'nothing is sent there or disabled meanwhile; held announcements are sent if access is confirmed.',
  }));
}

/**
 * Hub channels that fall behind (posts waiting for Discord's publish limit) or cannot take posts at all. Keyed
 * by the hub's server, so its managers see them too; without a known server only the operator does.
 */
export async function hubNotes(
  hubs: HubPublishes,
  now = new Date(),
  /** Only these hubs: a hub taken out of `DISCORD_HUB_CHANNELS` keeps its last note in Redis, which no job clears. */
  hubIds?: readonly string[],
): Promise<DeliveryNote[]> {
  const notes: DeliveryNote[] = [];
  for (const [id, info] of Object.entries(await hubs.hubs())) {
    if (hubIds && !hubIds.includes(id)) continue;
    const line = hubStatusLine(id, info, await hubs.backlog(id, now), now, duration);
    if (line)
      notes.push({ tenant: { platform: 'discord', workspaceId: info.serverId ?? 'hub' }, text: line });
  }
  return notes;
}

/** The asking workspace's own hold after a 429 on its workspace, if one is running. */
async function holdNotes(
  safety: ReturnType<typeof deliverySafety>,
  asking?: Tenant,
): Promise<DeliveryNote[]> {
  if (!asking) return [];
  const left = await safety.holds.remaining(tenantKeys({ ...asking, channelId: '' }).workspace);
  if (left <= 0) return [];
  return [
    {
      tenant: asking,
      text: `Deliveries here are held for ${duration(left)} more: the platform asked the bot to slow down (429).`,
    },
  ];
}

/** One platform's invalid-request standing, as `status --json` gives it (`invalidRequests`). */
export interface InvalidRequestsStatus extends InvalidStanding {
  platform: Platform;
}

const PLATFORM_NAMES: Record<Platform, string> = { discord: 'Discord', slack: 'Slack', console: 'Console' };

/**
 * The operator's line on each platform's invalid-request budget (401, 403 and 429 answers in the window,
 * which Discord counts toward an IP ban): never shown to members in chat.
 */
export function invalidRequestNotes(standings: readonly InvalidRequestsStatus[]): DeliveryNote[] {
  const n = (value: number) => value.toLocaleString('en-US');
  return standings.map((standing) => {
    const name = PLATFORM_NAMES[standing.platform];
    const state =
      standing.state === 'held'
        ? 'HELD: requests wait until older answers leave the window'
        : standing.state === 'slowed'
          ? `SLOWED to ${n(standing.slowPerSecond)} requests a second`
          : 'normal';
    return {
      tenant: { platform: standing.platform, workspaceId: '' },
      operator: true,
      text:
        `${name} invalid requests (401, 403 and 429 answers): ${n(standing.count)} in the last ${duration(standing.windowMs)}; ` +
        `${state} (slowed from ${n(standing.slowAt)}, held from ${n(standing.holdAt)}; ${name} blocks the IP at ${n(standing.limit)}).`,
    };
  });
}
