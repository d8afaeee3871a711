import type { RedisClient } from '../../src/store/redis-client.js';
import { RedisDeliveryNotes } from '../../src/delivery/delivery-notes.js';
import { RedisDisableGuard, type GuardTrip } from '../../src/delivery/disable-guard.js';
import { RedisTenantHolds } from '../../src/delivery/tenant-holds.js';
import type { Platform } from '../../src/posts/post.js';
import type { ReadinessCheck } from '../web/readiness.js';

/** The Redis-backed parts that keep delivery safe: per-tenant 429 holds, the mass-disable guard, notes. */
export function deliverySafety(redis: RedisClient, prefix: string) {
  return {
    holds: new RedisTenantHolds(redis, prefix),
    guard: new RedisDisableGuard(redis, prefix),
    notes: new RedisDeliveryNotes(redis, prefix),
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
