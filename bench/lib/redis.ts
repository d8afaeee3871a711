import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from '../../tests/helpers/test-redis.js';

/** The Redis every scenario uses: TEST_REDIS_URL (default redis://127.0.0.1:6379), never REDIS_URL. */
export const REDIS_URL = TEST_REDIS_URL;

/** A fresh key prefix for one scenario run: `bench-<what>-<random>`. */
export function benchPrefix(what: string): string {
  return `bench-${what}-${randomBytes(4).toString('hex')}`;
}

/** A plain connection for the bench's own reads and writes. */
export function connect(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
}

/** Deletes every key under `${prefix}:` (never FLUSHDB: others share this Redis). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Prefixes whose scenario has not finished: a run cut short deletes them on its way out. */
const active = new Set<string>();

/** Runs `work` with a fresh prefix and a connection, always deleting the prefix's keys afterwards. */
export async function withPrefix<T>(
  what: string,
  work: (redis: Redis, prefix: string) => Promise<T>,
): Promise<T> {
  const redis = connect();
  const prefix = benchPrefix(what);
  active.add(prefix);
  try {
    return await work(redis, prefix);
  } finally {
    await deleteKeys(redis, prefix).catch(() => undefined);
    active.delete(prefix);
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** Deletes the keys of every prefix still in use (a scenario over its time limit). */
export async function deleteActivePrefixes(): Promise<void> {
  if (active.size === 0) return;
  const redis = connect();
  try {
    for (const prefix of active) await deleteKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
