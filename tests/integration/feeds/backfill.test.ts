import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backfillFeed,
  bloggerPageUrl,
  isBloggerFeed,
  type BackfillProgress,
} from '../../../src/feeds/backfill.js';
import { pollFeed } from '../../../src/feeds/poller.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { ARCHIVE_TOTAL, FIXTURES, readFixture } from '../../helpers/fixtures.js';
import { redisPollDeps } from './harness.js';
import { testRedis } from './redis.js';

const { redis, prefix, cleanup } = testRedis('feeds-backfill');
let server: FeedServer;
let feeds = 0;

beforeAll(async () => {
  server = await startFeedServer();
});

afterAll(async () => {
  await server.close();
  await cleanup();
});

function setup() {
  feeds += 1;
  const path = `/b${feeds}/feeds/posts/default`;
  server.route(path, { kind: 'archive' });
  return {
    feed: { name: 'psf', url: server.url(path) },
    path,
    ...redisPollDeps(redis, `${prefix}:${feeds}`, '2026-02-13T12:00:00Z'),
  };
}

describe('backfillFeed', () => {
  it('indexes the 733-post archive in five pages from the configured host, again to the same count, announcing nothing', async () => {
    const { feed, path, deps, sink } = setup();
    const progress: BackfillProgress[] = [];
    expect(await backfillFeed(feed, deps, (step) => progress.push(step))).toEqual({
      feed: 'psf',
      pages: 5,
      posts: ARCHIVE_TOTAL,
    });
    const asked = server.requests.filter((request) => request.path === path);
    expect(asked.map((request) => request.query.get('start-index'))).toEqual([
      '1',
      '151',
      '301',
      '451',
      '601',
    ]);
    expect(asked.every((request) => request.query.get('max-results') === '150')).toBe(true);
    expect(progress.map((step) => step.posts)).toEqual([150, 300, 450, 600, 733]);
    expect(progress.every((step) => step.total === ARCHIVE_TOTAL)).toBe(true);
    expect(await backfillFeed(feed, deps)).toEqual({ feed: 'psf', pages: 5, posts: ARCHIVE_TOTAL });
    expect(await deps.posts.count('psf')).toBe(ARCHIVE_TOTAL);
    // The next poll (Blogger's default page: the 25 newest) finds nothing to announce.
    expect(await pollFeed(feed, deps)).toEqual({ feed: 'psf', status: 200, new: [], seeded: 0 });
    expect(sink.batches).toEqual([]);
  });

  it('lets a later move to the new site RSS announce nothing, even with no age limit', async () => {
    const { feed, path, deps, sink } = setup();
    await backfillFeed(feed, deps);
    const rssPath = path.replace('/feeds/posts/default', '/rss.xml');
    server.route(path, { kind: 'redirect', location: rssPath });
    server.route(rssPath, {
      kind: 'body',
      body: readFixture(FIXTURES.astroRss),
      contentType: 'application/rss+xml',
    });
    const result = await pollFeed(feed, { ...deps, maxAgeMs: 100 * 365 * 86_400_000 });
    expect(result).toEqual({ feed: 'psf', status: 200, new: [], seeded: 50 });
    expect(sink.batches).toEqual([]);
    expect(await deps.posts.count('psf')).toBe(ARCHIVE_TOTAL);
  });

  it('stops when the server ignores start-index and repeats the same page', async () => {
    const { feed, path, deps } = setup();
    server.route(path, { kind: 'body', body: readFixture(FIXTURES.bloggerAtom) });
    expect(await backfillFeed(feed, deps)).toEqual({ feed: 'psf', pages: 1, posts: 25 });
    expect(server.requests.filter((request) => request.path === path)).toHaveLength(2);
  });

  it('reads an archive directory page by page, and an RSS file as one page', async () => {
    const { deps } = setup();
    expect(await backfillFeed({ name: 'psf', url: FIXTURES.archiveDir }, deps)).toEqual({
      feed: 'psf',
      pages: 5,
      posts: ARCHIVE_TOTAL,
    });
    expect(await backfillFeed({ name: 'insider', url: FIXTURES.insiderRss }, deps)).toEqual({
      feed: 'insider',
      pages: 1,
      posts: 50,
    });
    expect(await deps.memory.isKnown('insider')).toBe(true);
  });
});

describe('Blogger page URLs', () => {
  it('recognises Blogger feeds and builds page URLs on the configured host', () => {
    expect(isBloggerFeed('https://pyfound.blogspot.com/feeds/posts/default')).toBe(true);
    expect(isBloggerFeed('http://127.0.0.1:8080/feeds/posts/default?alt=rss')).toBe(true);
    expect(isBloggerFeed('https://blog.python.org/rss.xml')).toBe(false);
    expect(bloggerPageUrl('https://pyfound.blogspot.com/feeds/posts/default?alt=rss', 151)).toBe(
      'https://pyfound.blogspot.com/feeds/posts/default?alt=rss&start-index=151&max-results=150',
    );
  });
});
