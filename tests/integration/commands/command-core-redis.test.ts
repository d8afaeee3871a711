import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandCore } from '../../../src/commands/command-core.js';
import type { CommandRequest } from '../../../src/commands/types.js';
import { RedisFeedStateStore } from '../../../src/feeds/redis-feed-state-store.js';
import type { Post } from '../../../src/posts/post.js';
import { PostIndex } from '../../../src/search/post-index.js';
import { RedisPostStore } from '../../../src/store/redis-post-store.js';
import { RedisSubscriptionStore } from '../../../src/subscriptions/redis-subscription-store.js';
import { ADMIN, FakeQueues, MEMBER, NOW, makeCore } from '../../unit/commands/core-fixture.js';
import { loadArchive } from '../../unit/search/archive.js';
import { TEST_REDIS_URL } from '../../helpers/test-redis.js';

const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
const prefix = `test-commands-${randomUUID().slice(0, 8)}`;

async function deleteKeys(): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

describe('CommandCore over Redis, on the PSF archive', () => {
  let archive: Post[];
  let redisCore: CommandCore;
  let memoryCore: CommandCore;

  beforeAll(async () => {
    archive = await loadArchive();
    const posts = new RedisPostStore(redis, prefix);
    await posts.save(archive);
    redisCore = new CommandCore({
      posts,
      // Built the way a process builds it at start: from what the store holds.
      index: PostIndex.build(await posts.all()),
      subscriptions: new RedisSubscriptionStore(redis, prefix),
      feedStates: new RedisFeedStateStore(redis, prefix),
      queues: new FakeQueues(),
      feeds: [{ name: 'psf', url: 'https://example.org/psf.xml' }],
      pollIntervalMs: 300_000,
      now: () => NOW,
    });
    ({ core: memoryCore } = await makeCore(archive, ['psf']));
  });

  afterAll(async () => {
    await deleteKeys();
    await redis.quit();
  });

  it.each<CommandRequest>([
    { name: 'latest', count: 10, share: false },
    { name: 'tag', tag: 'grants', count: 10, share: false },
    { name: 'tag', tag: 'Board-Of-Directors', count: 10, share: false },
    { name: 'tag', tag: 'grnts', count: 5, share: false },
    { name: 'tags', share: false },
    { name: 'search', query: 'serach pycn', share: false },
    { name: 'status', share: false },
  ])('answers %j exactly as the memory store does', async (request) => {
    const fromRedis = await redisCore.handle(request, MEMBER);
    expect(fromRedis.kind).not.toBe('error');
    expect(fromRedis).toEqual(await memoryCore.handle(request, MEMBER));
  });

  it('keeps a subscription made by a channel manager in Redis', async () => {
    expect(
      await redisCore.handle({ name: 'subscribe', feed: 'psf', tags: ['grants'] }, MEMBER),
    ).toMatchObject({ kind: 'error' });
    await redisCore.handle({ name: 'subscribe', feed: 'psf', tags: ['grants'] }, ADMIN);
    const stored = await new RedisSubscriptionStore(redis, prefix).get(ADMIN);
    expect(stored).toMatchObject({ feeds: ['psf'], tags: ['grants'], createdBy: ADMIN.userId });
  });
});
