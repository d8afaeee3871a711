import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillFeed } from '../../../src/feeds/backfill.js';
import { pollFeed } from '../../../src/feeds/poller.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';
import { redisPollDeps, withoutNewest } from './harness.js';
import { testRedis } from './redis.js';

const { redis, prefix, cleanup } = testRedis('feeds-races');
let server: FeedServer;

beforeAll(async () => {
  server = await startFeedServer();
});

afterAll(async () => {
  await server.close();
  await cleanup();
});

const ATOM = readFixture(FIXTURES.bloggerAtom);
/** The same posts under other ids, as a second feed carrying the blog (the migration case) would list them. */
const mirrored = (atom: string) => atom.replaceAll('tag:blogger.com,1999:', 'tag:mirror.example,2026:');

describe('two feeds carrying the same post', () => {
  it('announce it once even when both are polled at the same moment', async () => {
    for (let round = 0; round < 5; round++) {
      const { deps, sink } = redisPollDeps(redis, `${prefix}:${round}`, '2026-02-13T12:00:00Z');
      const feeds = [
        { name: 'psf', url: server.url(`/r${round}/a/feeds/posts/default`) },
        { name: 'mirror', url: server.url(`/r${round}/b/feeds/posts/default`) },
      ];
      server.route(`/r${round}/a/feeds/posts/default`, { kind: 'body', body: withoutNewest(ATOM, 1) });
      server.route(`/r${round}/b/feeds/posts/default`, {
        kind: 'body',
        body: mirrored(withoutNewest(ATOM, 1)),
      });
      await Promise.all(feeds.map((feed) => pollFeed(feed, deps)));
      server.route(`/r${round}/a/feeds/posts/default`, { kind: 'body', body: ATOM });
      server.route(`/r${round}/b/feeds/posts/default`, { kind: 'body', body: mirrored(ATOM) });
      const results = await Promise.all(feeds.map((feed) => pollFeed(feed, deps)));
      expect(results.flatMap((result) => result.new)).toHaveLength(1);
      expect(results.map((result) => result.new.length + result.seeded).sort()).toEqual([1, 1]);
      expect(sink.batches.flat()).toHaveLength(1);
    }
  });
});

describe('a backfill while the service runs', () => {
  it('does not swallow a post published since the last poll', async () => {
    const { deps, sink } = redisPollDeps(redis, `${prefix}:backfill`, '2026-02-13T12:00:00Z');
    const path = '/backfill/feeds/posts/default';
    const feed = { name: 'psf', url: server.url(path) };
    server.route(path, { kind: 'body', body: withoutNewest(ATOM, 1) });
    expect(await pollFeed(feed, deps)).toMatchObject({ status: 200, new: [], seeded: 24 });
    server.route(path, { kind: 'body', body: ATOM });
    expect(await backfillFeed(feed, deps)).toMatchObject({ feed: 'psf', posts: 25 });
    const next = await pollFeed(feed, deps);
    expect(next.new).toEqual(['tag:blogger.com,1999:blog-4781218476587227457.post-1500439120687428632']);
    expect(sink.batches.flat()).toHaveLength(1);
  });

  it('on a feed never polled, remembers everything so the first poll announces nothing', async () => {
    const { deps, sink } = redisPollDeps(redis, `${prefix}:backfill-first`, '2026-02-13T12:00:00Z');
    const path = '/backfill-first/feeds/posts/default';
    const feed = { name: 'psf', url: server.url(path) };
    server.route(path, { kind: 'body', body: ATOM });
    await backfillFeed(feed, deps);
    expect(await pollFeed(feed, deps)).toMatchObject({ status: 200, new: [], seeded: 0 });
    expect(sink.batches.flat()).toHaveLength(0);
  });
});
