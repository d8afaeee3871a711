import type { RedisClient } from '../../src/store/redis-client.js';
import { RedisDeliveryNotes } from '../../src/delivery/delivery-notes.js';
import { RedisDisableGuard } from '../../src/delivery/disable-guard.js';
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
  guard: Pick<RedisDisableGuard, 'tripped'>,
  platforms: readonly Platform[],
): ReadinessCheck {
  return async () => {
    const trips = await Promise.all(platforms.map((platform) => guard.tripped(platform)));
    const paused = platforms
      .map((platform, i) =>
        trips[i] ? `${platform} paused by the mass-disable guard (${trips[i].reason})` : '',
      )
      .filter(Boolean);
    return paused.length === 0 || paused.join('; ');
  };
}

/** `status`'s extra lines: guard pauses and workspaces where the bot may not look before re-sending. */
export async function deliveryStatusLines(
  safety: ReturnType<typeof deliverySafety>,
  platforms: readonly Platform[],
): Promise<string[]> {
  const trips = await Promise.all(platforms.map((platform) => safety.guard.tripped(platform)));
  const lines = platforms.flatMap((platform, i) =>
    trips[i]
      ? [
          `Deliveries to ${platform} are PAUSED by the mass-disable guard since ${trips[i].at}: ${trips[i].reason}`,
        ]
      : [],
  );
  return [...lines, ...(await safety.notes.lines())];
}
