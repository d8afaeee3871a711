import type { RedisClient } from '../../src/store/redis-client.js';
import { RedisDeliveryNotes } from '../../src/delivery/delivery-notes.js';
import { RedisDisableGuard, type GuardTrip } from '../../src/delivery/disable-guard.js';
import { RedisLookTurns, type LookTurns } from '../../src/delivery/look-turns.js';
import { RedisTenantHolds, type TenantHolds } from '../../src/delivery/tenant-holds.js';
import type { Platform } from '../../src/posts/post.js';
import type { ReadinessCheck } from '../web/readiness.js';

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

/** `status`'s extra lines: guard pauses and workspaces where the bot may not look before re-sending. */
export async function deliveryStatusLines(
  safety: ReturnType<typeof deliverySafety>,
  platforms: readonly Platform[],
): Promise<string[]> {
  const trips = (await Promise.all(platforms.map((platform) => safety.guard.trips(platform)))).flat();
  const lines = trips.map(
    ({ scope, trip }) =>
      `Deliveries to ${scopeName(scope, trip)} are PAUSED by the mass-disable guard since ${trip.at}: ${trip.reason}`,
  );
  return [...lines, ...(await safety.notes.lines())];
}
