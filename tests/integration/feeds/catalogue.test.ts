import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFeed } from '../../../src/feeds/parse.js';
import { pollFeed } from '../../../src/feeds/poller.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';
import { redisPollDeps, withRssItem, withoutNewest } from './harness.js';
import { testRedis } from './redis.js';

const { redis, prefix, cleanup } = testRedis('feeds-catalogue');
let server: FeedServer;
let feeds = 0;

beforeAll(async () => {
  server = await startFeedServer();
});

afterAll(async () => {
  await server.close();
  await cleanup();
});

/** A feed's old Blogger path and its new site's `/rss.xml`, with Redis keys of its own. */
function setup(start: string) {
  feeds += 1;
  const oldPath = `/c${feeds}/feeds/posts/default`;
  const newPath = `/c${feeds}/rss.xml`;
  return { oldPath, newPath, ...redisPollDeps(redis, `${prefix}:${feeds}`, start) };
}

const RSS = 'application/rss+xml';
const YEAR_MS = 365 * 86_400_000;

describe('catalogued feeds moving from Blogger to a new site', () => {
  it('PSF blog: when the Blogger URL is gone, polls the new /rss.xml and announces only what is new', async () => {
    const { oldPath, newPath, deps, sink } = setup('2026-02-13T12:00:00Z');
    const feed = { name: 'psf', url: server.url(oldPath), movedTo: server.url(newPath), title: 'PSF blog' };
    server.route(oldPath, { kind: 'body', body: readFixture(FIXTURES.bloggerAtom) });
    expect(await pollFeed(feed, deps)).toMatchObject({ status: 200, new: [], seeded: 25 });

    const fresh = {
      title: 'Brand new post',
      link: 'https://pyfound.blogspot.com/2026/02/brand-new/',
      date: 'Fri, 13 Feb 2026 00:00:00 GMT',
    };
    server.route(oldPath, { kind: 'fail', status: 410 });
    server.route(newPath, {
      kind: 'body',
      body: withRssItem(readFixture(FIXTURES.astroRss), fresh),
      contentType: RSS,
    });
    // The age limit reaches back to every post the Blogger feed had, so only fingerprints keep them quiet.
    const maxAgeMs = Date.parse('2026-02-13T12:00:00Z') - Date.parse('2025-08-07T12:00:00Z');
    expect(await pollFeed(feed, { ...deps, maxAgeMs })).toMatchObject({ status: 200, new: [fresh.link] });
    expect(await pollFeed(feed, { ...deps, maxAgeMs })).toMatchObject({ new: [], seeded: 0 });
    expect(sink.ids).toEqual([fresh.link]);
    expect((await deps.states.get('psf')).resolvedUrl).toBe(server.url(newPath));
  });

  it('PSF blog: a feed without a move to follow reports the 410 as an error', async () => {
    const { oldPath, deps } = setup('2026-02-13T12:00:00Z');
    server.route(oldPath, { kind: 'fail', status: 410 });
    const result = await pollFeed({ name: 'psf', url: server.url(oldPath) }, deps);
    expect(result).toMatchObject({ status: 'error', error: expect.stringMatching(/410/) });
  });

  it('Python Insider: switching from its Blogger feed to /rss.xml announces only the posts Blogger never had', async () => {
    const { oldPath, newPath, deps, sink } = setup('2026-08-23T12:00:00Z');
    server.route(oldPath, { kind: 'body', body: withoutNewest(readFixture(FIXTURES.insiderBloggerAtom), 2) });
    await pollFeed({ name: 'insider', url: server.url(oldPath) }, deps);
    expect(sink.ids).toEqual([]);

    // What `PSF_FEEDS=insider` means now, or the old URL redirecting there: every post has a new id and URL,
    // and Blogger's Pacific evening times fall on the next UTC day; the age limit would let a year through.
    server.route(newPath, { kind: 'body', body: readFixture(FIXTURES.insiderRss), contentType: RSS });
    const moved = { name: 'insider', url: server.url(newPath), title: 'Python Insider' };
    const rss = (await parseFeed(readFixture(FIXTURES.insiderRss), 'insider')).posts;
    const result = await pollFeed(moved, { ...deps, maxAgeMs: YEAR_MS });
    expect(result).toMatchObject({ status: 200, new: [rss[1]!.id, rss[0]!.id], seeded: 48 });
    expect(await pollFeed(moved, { ...deps, maxAgeMs: YEAR_MS })).toMatchObject({ new: [], seeded: 0 });
    const latest = await deps.posts.latest(50, 'insider');
    expect(latest).toHaveLength(50);
    expect(new Set(latest.map((post) => post.title)).size).toBe(50);
  });

  it('PyPI blog: reads the MkDocs RSS shape, seeds on first sight and announces a new post once', async () => {
    const posts = (await parseFeed(readFixture(FIXTURES.pypiRss), 'pypi')).posts;
    expect(posts[0]).toMatchObject({
      id: 'https://blog.pypi.org/posts/2026-08-31-download-counts/',
      title: 'Metadata requests no longer tracked in PyPI download counts',
      url: 'https://blog.pypi.org/posts/2026-08-31-download-counts/',
      publishedAt: '2026-08-31T00:00:00.000Z',
    });
    expect(posts[0]!.summary).toMatch(/^On 2026-08-24 I shipped a change/);
    expect(posts).toHaveLength(5);

    const { newPath, deps, sink } = setup('2026-09-01T12:00:00Z');
    const feed = { name: 'pypi', url: server.url(newPath), title: 'PyPI blog' };
    const fixture = readFixture(FIXTURES.pypiRss);
    server.route(newPath, {
      kind: 'body',
      body: fixture.replace(/<item>[\s\S]*?<\/item>/, ''),
      contentType: RSS,
    });
    expect(await pollFeed(feed, deps)).toMatchObject({ new: [], seeded: 4 });
    server.route(newPath, { kind: 'body', body: fixture, contentType: RSS });
    expect(await pollFeed(feed, deps)).toMatchObject({ new: [posts[0]!.id] });
    expect(await pollFeed(feed, deps)).toMatchObject({ new: [] });
    expect(sink.ids).toEqual([posts[0]!.id]);
  });
});
