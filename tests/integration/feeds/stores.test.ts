import { afterAll, describe, expect, it } from 'vitest';
import { MemoryFeedMemory, type FeedMemory } from '../../../src/feeds/feed-memory.js';
import type { FeedStateStore } from '../../../src/feeds/feed-state.js';
import { emptyFeedState } from '../../../src/feeds/feed-state-schema.js';
import { MemoryFeedStateStore } from '../../../src/feeds/memory-feed-state-store.js';
import { RedisFeedMemory } from '../../../src/feeds/redis-feed-memory.js';
import { RedisFeedStateStore } from '../../../src/feeds/redis-feed-state-store.js';
import type { Post } from '../../../src/posts/post.js';
import { testRedis } from './redis.js';

const { redis, prefix, cleanup } = testRedis('feeds-stores');
afterAll(cleanup);

// Each test gets its own key space under the file's prefix, so no test sees another's keys.
let instances = 0;
const fresh = () => `${prefix}:${(instances += 1)}`;

const post = (id: string, title: string, publishedAt: string | null): Post => ({
  id,
  feed: 'psf',
  title,
  url: null,
  author: null,
  publishedAt,
  updatedAt: null,
  tags: [],
  summary: '',
  image: null,
});

const stateStores: [string, () => FeedStateStore][] = [
  ['MemoryFeedStateStore', () => new MemoryFeedStateStore()],
  ['RedisFeedStateStore', () => new RedisFeedStateStore(redis, fresh())],
];

describe.each(stateStores)('%s', (_name, make) => {
  it('answers an empty state for a feed never polled, and round-trips a saved one', async () => {
    const store = make();
    expect(await store.get('psf')).toEqual(emptyFeedState('psf'));
    const state = {
      ...emptyFeedState('psf'),
      lastStatus: 503 as const,
      consecutiveFailures: 2,
      nextAttemptAt: '2026-02-12T00:04:00.000Z',
      lastError: 'feed psf: HTTP 503 from https://example.org/feed',
      etag: '"abc"',
    };
    await store.save(state);
    expect(await store.get('psf')).toEqual(state);
    expect(await store.all(['psf', 'insider'])).toEqual([state, emptyFeedState('insider')]);
  });
});

const memories: [string, () => FeedMemory][] = [
  ['MemoryFeedMemory', () => new MemoryFeedMemory()],
  ['RedisFeedMemory', () => new RedisFeedMemory(redis, fresh())],
];

describe.each(memories)('%s', (_name, make) => {
  it('knows a feed only once marked', async () => {
    const memory = make();
    expect(await memory.isKnown('psf')).toBe(false);
    await memory.markKnown('psf');
    expect(await memory.isKnown('psf')).toBe(true);
    expect(await memory.isKnown('insider')).toBe(false);
  });

  it('tells unseen ids apart, per feed, in the order asked', async () => {
    const memory = make();
    await memory.remember('psf', [post('a', 'Alpha', null), post('b', 'Beta', null)]);
    expect(await memory.unseen('psf', ['c', 'a', 'd', 'b'])).toEqual(['c', 'd']);
    expect(await memory.unseen('insider', ['a'])).toEqual(['a']);
    expect(await memory.unseen('psf', [])).toEqual([]);
  });

  it('finds the first owner of a fingerprint within a day either way, in any feed', async () => {
    const memory = make();
    await memory.remember('psf', [post('tag:1', 'Board Election Results', '2026-02-13T07:30:00Z')]);
    await memory.remember('psf', [post('tag:dup', 'Board election results!', '2026-02-13T08:00:00Z')]);
    const owners = await memory.fingerprintOwners([
      post('https://new/1', 'Board election results', '2026-02-12T00:00:00Z'),
      post('https://new/2', 'Board election results', '2026-02-10T00:00:00Z'),
      post('https://new/3', 'Something else', '2026-02-13T00:00:00Z'),
      post('https://new/4', 'Undated', null),
    ]);
    expect(owners).toEqual([{ feed: 'psf', id: 'tag:1' }, null, null, null]);
  });

  it('keeps naming the original after its copy from the new site, a day off, recorded its own fingerprint', async () => {
    const memory = make();
    const original = post('tag:1', 'Python 3.12.14 is out', '2026-08-13T06:00:00Z'); // 23:00 Pacific on the 12th
    const copy = post('https://new/1', 'Python 3.12.14 is out', '2026-08-12T00:00:00Z');
    await memory.remember('psf', [original]);
    await memory.remember('psf', [copy]);
    expect(await memory.fingerprintOwners([copy, original])).toEqual([
      { feed: 'psf', id: 'tag:1' },
      { feed: 'psf', id: 'tag:1' },
    ]);
  });
});
