import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** A Redis connection and a prefix unique to one test file, with cleanup of every key under it. */
export function testRedis(area: string): { redis: Redis; prefix: string; cleanup: () => Promise<void> } {
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const prefix = `test-${area}-${randomBytes(4).toString('hex')}`;
  const cleanup = async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  };
  return { redis, prefix, cleanup };
}
