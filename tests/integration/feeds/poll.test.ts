import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollFeed } from '../../../src/feeds/poller.js';
import { parseFeed } from '../../../src/feeds/parse.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';
import { redisPollDeps, withRssItem, withoutNewest } from './harness.js';
import { testRedis } from './redis.js';

const { redis, prefix, cleanup } = testRedis('feeds-poll');
let server: FeedServer;
let feeds = 0;

beforeAll(async () => {
  server = await startFeedServer();
});

afterAll(async () => {
  await server.close();
  await cleanup();
});

const ATOM = readFixture(FIXTURES.bloggerAtom);
const NEWEST = 'tag:blogger.com,1999:blog-4781218476587227457.post-1500439120687428632';
const SECOND = 'tag:blogger.com,1999:blog-4781218476587227457.post-1239881279506315890';

/** A feed at its own path, with Redis keys of its own, polled at 2026-02-13 12:00 UTC unless moved. */
function setup() {
  feeds += 1;
  const path = `/f${feeds}/feeds/posts/default`;
  const feed = { name: 'psf', url: server.url(path) };
  return { feed, path, ...redisPollDeps(redis, `${prefix}:${feeds}`, '2026-02-13T12:00:00Z') };
}

describe('pollFeed', () => {
  it('announces nothing on the first poll and remembers every post', async () => {
    const { feed, path, deps, sink } = setup();
    server.route(path, { kind: 'body', body: ATOM, etag: '"v1"' });
    expect(await pollFeed(feed, deps)).toEqual({ feed: 'psf', status: 200, new: [], seeded: 25 });
    expect(sink.batches).toEqual([]);
    expect(await deps.posts.count('psf')).toBe(25);
    expect(await deps.states.get('psf')).toMatchObject({
      lastStatus: 200,
      lastSuccessAt: '2026-02-13T12:00:00.000Z',
      consecutiveFailures: 0,
      etag: '"v1"',
      resolvedUrl: feed.url,
    });
    expect(await pollFeed(feed, deps)).toEqual({ feed: 'psf', status: 304, new: [], seeded: 0 });
  });

  it('queues new posts once, oldest first, and never again', async () => {
    const { feed, path, deps, sink } = setup();
    server.route(path, { kind: 'body', body: withoutNewest(ATOM, 2) });
    await pollFeed(feed, deps);
    server.route(path, { kind: 'body', body: ATOM });
    expect(await pollFeed(feed, deps)).toEqual({
      feed: 'psf',
      status: 200,
      new: [SECOND, NEWEST],
      seeded: 0,
    });
    expect(sink.ids).toEqual([SECOND, NEWEST]);
    expect(sink.batches[0]![1]!.title).toBe("Python is for Everyone: Inside the PSF's D&I Work Group");
    expect(await pollFeed(feed, deps)).toEqual({ feed: 'psf', status: 200, new: [], seeded: 0 });
    expect(sink.ids).toEqual([SECOND, NEWEST]);
  });

  it('answers a 304 by updating the state only', async () => {
    const { feed, path, deps, sink, clock } = setup();
    server.route(path, {
      kind: 'body',
      body: ATOM,
      etag: '"same"',
      lastModified: 'Thu, 12 Feb 2026 16:00:00 GMT',
    });
    await pollFeed(feed, deps);
    clock.now = new Date('2026-02-13T12:05:00Z');
    expect(await pollFeed(feed, deps)).toEqual({ feed: 'psf', status: 304, new: [], seeded: 0 });
    const last = server.requests.filter((request) => request.path === path).at(-1)!;
    expect(last.headers['if-none-match']).toBe('"same"');
    expect(last.headers['if-modified-since']).toBe('Thu, 12 Feb 2026 16:00:00 GMT');
    expect(await deps.states.get('psf')).toMatchObject({
      lastStatus: 304,
      lastSuccessAt: '2026-02-13T12:05:00.000Z',
    });
    expect(sink.batches).toEqual([]);
  });

  it('never announces a post published before the age limit, but remembers it', async () => {
    const { feed, path, deps, sink, clock } = setup();
    server.route(path, { kind: 'body', body: withoutNewest(ATOM, 2) });
    await pollFeed(feed, deps);
    clock.now = new Date('2026-02-18T00:00:00Z');
    server.route(path, { kind: 'body', body: ATOM });
    expect(await pollFeed(feed, deps)).toEqual({ feed: 'psf', status: 200, new: [NEWEST], seeded: 1 });
    expect(await pollFeed(feed, deps)).toMatchObject({ new: [], seeded: 0 });
    expect(sink.ids).toEqual([NEWEST]);
  });

  it('announces nothing already known when the feed redirects to the new site RSS, only what is new', async () => {
    const { feed, path, deps, sink } = setup();
    server.route(path, { kind: 'body', body: ATOM });
    await pollFeed(feed, deps);
    const rssPath = path.replace('/feeds/posts/default', '/rss.xml');
    const fresh = {
      title: 'Brand new post',
      link: 'https://pyfound.blogspot.com/2026/02/brand-new/',
      date: 'Fri, 13 Feb 2026 00:00:00 GMT',
    };
    server.route(path, { kind: 'redirect', location: rssPath, status: 301 });
    server.route(rssPath, {
      kind: 'body',
      body: withRssItem(readFixture(FIXTURES.astroRss), fresh),
      contentType: 'application/rss+xml',
    });
    // The age limit reaches back to every post of the Atom feed, so only their fingerprints keep them quiet;
    // the older half of the RSS (never seen) is past the limit.
    const maxAgeMs = Date.parse('2026-02-13T12:00:00Z') - Date.parse('2025-08-07T12:00:00Z');
    expect(await pollFeed(feed, { ...deps, maxAgeMs })).toEqual({
      feed: 'psf',
      status: 200,
      new: [fresh.link],
      seeded: 50,
    });
    expect(sink.ids).toEqual([fresh.link]);
    expect((await deps.states.get('psf')).resolvedUrl).toBe(server.url(rssPath));
    const latest = await deps.posts.latest(10, 'psf');
    expect(new Set(latest.map((post) => post.title)).size).toBe(10);
  });

  it('records a feed that is down, backs off, and skips polls until the backoff ends unless forced', async () => {
    const { feed, path, deps, sink, clock } = setup();
    server.route(path, { kind: 'fail', status: 503 });
    const error = `feed psf: HTTP 503 from ${feed.url}`;
    expect(await pollFeed(feed, deps)).toEqual({ feed: 'psf', status: 'error', new: [], seeded: 0, error });
    expect(await deps.states.get('psf')).toMatchObject({
      lastStatus: 503,
      lastAttemptAt: '2026-02-13T12:00:00.000Z',
      lastSuccessAt: null,
      consecutiveFailures: 1,
      nextAttemptAt: '2026-02-13T12:01:00.000Z',
      lastError: 'the feed answered HTTP 503',
    });
    const asked = server.requests.length;
    expect(await pollFeed(feed, deps)).toMatchObject({ status: 'error', skipped: true });
    expect(server.requests.length).toBe(asked);
    await pollFeed(feed, deps, { force: true });
    expect(await deps.states.get('psf')).toMatchObject({
      consecutiveFailures: 2,
      nextAttemptAt: '2026-02-13T12:02:00.000Z',
    });
    server.route(path, { kind: 'body', body: ATOM });
    clock.now = new Date('2026-02-13T12:02:00Z');
    expect(await pollFeed(feed, deps)).toMatchObject({ status: 200, seeded: 25 });
    expect(await deps.states.get('psf')).toMatchObject({
      consecutiveFailures: 0,
      nextAttemptAt: null,
      lastError: null,
    });
    expect(sink.batches).toEqual([]);
  });

  it('records a body that is not XML as an error, keeping the old validators', async () => {
    const { feed, path, deps } = setup();
    server.route(path, {
      kind: 'body',
      body: '<h1>Maintenance</h1> back soon',
      contentType: 'text/html',
      etag: '"html"',
    });
    const result = await pollFeed(feed, deps);
    expect(result).toMatchObject({ status: 'error', new: [], seeded: 0 });
    expect(result.error).toMatch(/^feed psf: (?:the feed is )?not (?:XML|an RSS or Atom feed)/);
    expect(await deps.states.get('psf')).toMatchObject({
      lastStatus: 200,
      consecutiveFailures: 1,
      etag: null,
    });
    expect((await deps.states.get('psf')).lastError).toMatch(/^the feed is not (?:XML|an RSS or Atom feed)/);
    expect(await deps.memory.isKnown('psf')).toBe(false);
  });

  it('queues again after the sink failed, because posts are remembered only after queueing', async () => {
    const { feed, path, deps, sink } = setup();
    server.route(path, { kind: 'body', body: withoutNewest(ATOM, 1) });
    await pollFeed(feed, deps);
    server.route(path, { kind: 'body', body: ATOM });
    sink.failWith = new Error('Redis connection lost');
    expect(await pollFeed(feed, deps)).toMatchObject({
      status: 'error',
      error: 'feed psf: Redis connection lost',
    });
    sink.failWith = null;
    expect(await pollFeed(feed, deps, { force: true })).toMatchObject({ status: 200, new: [NEWEST] });
    expect(sink.ids).toEqual([NEWEST]);
  });

  it('saves edits of known posts so lookups stay current, without announcing them', async () => {
    const { feed, path, deps, sink } = setup();
    server.route(path, { kind: 'body', body: ATOM });
    await pollFeed(feed, deps);
    server.route(path, {
      kind: 'body',
      body: ATOM.replace(
        'Introducing the PSF Community Partner Program',
        'Introducing the PSF Community Partner Program (updated)',
      ),
    });
    expect(await pollFeed(feed, deps)).toMatchObject({ status: 200, new: [] });
    expect((await deps.posts.get('psf', SECOND))?.title).toBe(
      'Introducing the PSF Community Partner Program (updated)',
    );
    expect(sink.batches).toEqual([]);
  });

  it('polls a local file path like a URL', async () => {
    const { deps } = setup();
    const feed = { name: 'insider', url: FIXTURES.insiderRss };
    expect(await pollFeed(feed, deps)).toEqual({ feed: 'insider', status: 200, new: [], seeded: 50 });
    expect(await pollFeed(feed, deps)).toEqual({ feed: 'insider', status: 304, new: [], seeded: 0 });
    expect((await deps.posts.latest(1, 'insider'))[0]?.id).toBe(
      (await parseFeed(readFixture(FIXTURES.insiderRss), 'insider')).posts[0]?.id,
    );
  });
});

describe('a feed without dates whose guids change on every fetch', () => {
  const rss = (guid: string, items: { title: string; link: string }[]) =>
    `<?xml version="1.0"?><rss version="2.0"><channel><title>Undated</title><link>https://example.org/</link>` +
    items
      .map(
        (item, i) =>
          `<item><title>${item.title}</title><link>${item.link}</link><guid isPermaLink="false">${guid}-${i}</guid><description>Text.</description></item>`,
      )
      .join('') +
    `</channel></rss>`;

  it('announces a new undated post once, never again on later polls, and never an old one', async () => {
    const { feed, path, deps, sink, clock } = setup();
    const old = { title: 'Old news', link: 'https://example.org/news/old' };
    server.route(path, { kind: 'body', body: rss('a', [old]) });
    expect((await pollFeed(feed, deps)).seeded).toBe(1);

    const fresh = { title: 'Fresh news', link: 'https://example.org/news/fresh' };
    for (const [i, guid] of ['b', 'c', 'd'].entries()) {
      clock.now = new Date(clock.now.getTime() + 60_000);
      server.route(path, { kind: 'body', body: rss(guid, [fresh, old]) });
      const result = await pollFeed(feed, deps);
      expect(result.new, `poll ${i + 2}`).toHaveLength(i === 0 ? 1 : 0);
    }
    expect(sink.batches.flat().map((post) => post.title)).toEqual(['Fresh news']);
  });

  it('treats an undated post first seen longer ago than the age limit as old', async () => {
    const { feed, path, deps, sink, clock } = setup();
    server.route(path, { kind: 'body', body: rss('a', [{ title: 'Seed', link: 'https://example.org/s' }]) });
    await pollFeed(feed, deps);
    const late = [{ title: 'Late', link: 'https://example.org/late' }];
    await deps.memory.firstSeen(
      (await parseFeed(rss('x', late), 'psf')).posts,
      new Date(clock.now.getTime() - 8 * 86_400_000),
    );
    server.route(path, { kind: 'body', body: rss('y', late) });
    expect((await pollFeed(feed, deps)).new).toEqual([]);
    expect(sink.batches).toEqual([]);
  });
});

describe('the feed host sets the pace', () => {
  const hits = (path: string) => server.requests.filter((request) => request.path === path).length;
  const later = (clock: { now: Date }, ms: number) => (clock.now = new Date(clock.now.getTime() + ms));

  it('never fetches again while the last answer is fresh by Cache-Control max-age, 304s included', async () => {
    const { feed, path, deps, clock } = setup();
    const headers = { 'cache-control': 'public, max-age=300', age: '60' };
    server.route(path, { kind: 'body', body: ATOM, etag: '"v1"', headers });
    expect((await pollFeed(feed, deps)).status).toBe(200);
    expect((await deps.states.get('psf')).hostHold).toEqual({
      until: '2026-02-13T12:04:00.000Z',
      why: 'max-age',
      ms: 240_000,
    });
    later(clock, 60_000);
    expect(await pollFeed(feed, deps)).toEqual({
      feed: 'psf',
      status: 304,
      new: [],
      seeded: 0,
      skipped: true,
    });
    later(clock, 179_000);
    expect((await pollFeed(feed, deps)).skipped).toBe(true);
    expect(hits(path)).toBe(1);
    later(clock, 1_000);
    expect(await pollFeed(feed, deps)).toEqual({ feed: 'psf', status: 304, new: [], seeded: 0 });
    expect(hits(path)).toBe(2);
    // The 304 carried the same max-age: fresh again for another 4 minutes, unless forced (`poll --once`).
    later(clock, 60_000);
    expect((await pollFeed(feed, deps)).skipped).toBe(true);
    expect((await pollFeed(feed, deps, { force: true })).status).toBe(304);
    expect(hits(path)).toBe(3);
  });

  it('asks nothing of a host that sends no-cache, and polls every time', async () => {
    const { feed, path, deps } = setup();
    server.route(path, { kind: 'body', body: ATOM, etag: '"v1"', headers: { 'cache-control': 'no-cache' } });
    await pollFeed(feed, deps);
    expect((await pollFeed(feed, deps)).skipped).toBeUndefined();
    expect(hits(path)).toBe(2);
    expect((await deps.states.get('psf')).hostHold).toBeNull();
  });

  it('waits out Retry-After on a 429 or 503 when it is longer than its own backoff', async () => {
    const { feed, path, deps, clock } = setup();
    server.route(path, { kind: 'fail', status: 429, headers: { 'retry-after': '600' } });
    const first = await pollFeed(feed, deps);
    expect(first.status).toBe('error');
    expect(await deps.states.get('psf')).toMatchObject({
      lastStatus: 429,
      nextAttemptAt: '2026-02-13T12:10:00.000Z',
      hostHold: { why: 'retry-after', ms: 600_000 },
    });
    later(clock, 120_000);
    expect((await pollFeed(feed, deps)).skipped).toBe(true);
    expect(hits(path)).toBe(1);
    later(clock, 480_000);
    server.route(path, {
      kind: 'fail',
      status: 503,
      headers: { 'retry-after': 'Fri, 13 Feb 2026 12:11:00 GMT' },
    });
    await pollFeed(feed, deps);
    expect(hits(path)).toBe(2);
    // The host asked for one minute; the second failure's own backoff (2 minutes) is longer and wins.
    expect((await deps.states.get('psf')).nextAttemptAt).toBe('2026-02-13T12:12:00.000Z');
  });

  it('ignores Retry-After on other errors', async () => {
    const { feed, path, deps } = setup();
    server.route(path, { kind: 'fail', status: 500, headers: { 'retry-after': '3600' } });
    await pollFeed(feed, deps);
    expect(await deps.states.get('psf')).toMatchObject({
      nextAttemptAt: '2026-02-13T12:01:00.000Z',
      hostHold: null,
    });
  });
});
