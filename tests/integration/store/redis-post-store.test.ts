import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisPostStore } from '../../../src/store/redis-post-store.js';
import { makePost, postStoreContract } from '../../unit/store/post-store.contract.js';
import { TEST_REDIS_URL } from '../../helpers/test-redis.js';

const redis = new Redis(TEST_REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 2 });
const runId = `test-store-${randomUUID().slice(0, 8)}`;
let n = 0;
const prefixes: string[] = [];

async function deleteKeys(prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(prefix);
  await redis.quit();
});

postStoreContract('RedisPostStore', async () => {
  const prefix = `${runId}-${(n += 1)}`;
  prefixes.push(prefix);
  return new RedisPostStore(redis, prefix);
});

describe('RedisPostStore layout', () => {
  it('keeps every key under the prefix, in the post and tag namespaces', async () => {
    const prefix = `${runId}-layout`;
    prefixes.push(prefix);
    const store = new RedisPostStore(redis, prefix);
    await store.save([makePost({ id: 'a', tags: ['Grants'] }), makePost({ id: 'b', publishedAt: null })]);
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(new RegExp(`^${prefix}:(post|tag)`));
  });

  it('leaves no empty tag keys behind when the last post drops a tag', async () => {
    const prefix = `${runId}-drop`;
    prefixes.push(prefix);
    const store = new RedisPostStore(redis, prefix);
    await store.save([makePost({ id: 'a', tags: ['Gone'] })]);
    await store.save([makePost({ id: 'a', tags: [] })]);
    expect(await redis.keys(`${prefix}:tag-*gone`)).toEqual([]);
    expect(await redis.hget(`${prefix}:tags:label`, 'gone')).toBeNull();
  });

  it('sees a save from another store object on the same prefix (shared by processes)', async () => {
    const prefix = `${runId}-shared`;
    prefixes.push(prefix);
    await new RedisPostStore(redis, prefix).save([makePost({ id: 'a', tags: ['x'] })]);
    expect((await new RedisPostStore(redis, prefix).byTag('X', 1))[0]?.id).toBe('a');
  });
});
