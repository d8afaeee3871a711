import type { RedisClient } from '../../src/store/redis-client.js';
import { RedisDeliveryNotes } from '../../src/delivery/delivery-notes.js';
import { hubStatusLine, RedisHubPublishes, type HubPublishes } from '../../src/delivery/hub-publishes.js';
import { RedisDisableGuard, type GuardTrip } from '../../src/delivery/disable-guard.js';
import { RedisLookTurns, type LookTurns } from '../../src/delivery/look-turns.js';
import { RedisTenantHolds, type TenantHolds } from '../../src/delivery/tenant-holds.js';
import type { DeliveryNote, Tenant } from '../../src/commands/types.js';
import type { Platform } from '../../src/posts/post.js';
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
      ({ scope, trip }) => `${scopeName(scope, trip)} paused by the mass-disable guard (${trip.reason})`,
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
  return [
    ...paused,
    ...(await safety.notes.entries()),
    ...(await holdNotes(safety, asking)),
    ...(await hubNotes(safety.hubs)),
  ];
}

/**
 * Hub channels that fall behind (posts waiting for Discord's publish limit) or cannot take posts at all. Keyed
 * by the hub's server, so its managers see them too; without a known server only the operator does.
 */
export async function hubNotes(hubs: HubPublishes, now = new Date()): Promise<DeliveryNote[]> {
  const notes: DeliveryNote[] = [];
  for (const [id, info] of Object.entries(await hubs.hubs())) {
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
