import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from '../../helpers/test-redis.js';

/** A Redis connection and a prefix unique to one test file, with cleanup of every key under it. */
export function testRedis(area: string): { redis: Redis; prefix: string; cleanup: () => Promise<void> } {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const prefix = `test-${area}-${randomBytes(4).toString('hex')}`;
  const cleanup = async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  };
  return { redis, prefix, cleanup };
}
