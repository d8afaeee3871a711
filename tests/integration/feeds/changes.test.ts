import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryDecisionLog } from '../../../src/delivery/decisions.js';
import { pollFeed } from '../../../src/feeds/poller.js';
import { postKey } from '../../../src/posts/identity.js';
import { contentVersion } from '../../../src/posts/version.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';
import { redisPollDeps, withoutNewest } from './harness.js';
import { testRedis } from './redis.js';

const { redis, prefix, cleanup } = testRedis('feeds-changes');
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
const TITLE = 'Python is for Everyone: Inside the PSF&#39;s D&amp;I Work Group';
const CHANNEL = { platform: 'discord' as const, workspaceId: 'G', channelId: 'C' };

function setup() {
  feeds += 1;
  const path = `/f${feeds}/feeds/posts/default`;
  const feed = { name: 'psf', url: server.url(path) };
  const decisions = new MemoryDecisionLog();
  const made = redisPollDeps(redis, `${prefix}:${feeds}`, '2026-02-13T12:00:00Z');
  return { feed, path, decisions, ...made, deps: { ...made.deps, decisions } };
}

describe('changes to posts already known', () => {
  it('queues one edit when a known post changes its title, and none when it is fetched again unchanged', async () => {
    const { feed, path, deps, sink } = setup();
    server.route(path, { kind: 'body', body: ATOM });
    await pollFeed(feed, deps);
    const corrected = ATOM.replace(TITLE, 'Python is for Everyone (corrected)');
    server.route(path, { kind: 'body', body: corrected });
    await pollFeed(feed, deps);
    await pollFeed(feed, deps);
    expect(sink.edits).toHaveLength(1);
    expect(sink.edits[0]!.map(({ post }) => post.id)).toEqual([NEWEST]);
    const stored = await deps.posts.get('psf', NEWEST);
    expect(stored?.title).toBe('Python is for Everyone (corrected)');
    expect(sink.edits[0]![0]!.version).toBe(contentVersion(stored!));
    expect(sink.ids).toEqual([]);
  });

  it('queues no edit for a post that is only re-dated', async () => {
    const { feed, path, deps, sink } = setup();
    server.route(path, { kind: 'body', body: ATOM });
    await pollFeed(feed, deps);
    const redated = ATOM.replace(
      '<updated>2026-02-12T16:00:00.000+00:00</updated>',
      '<updated>2026-02-13T09:00:00.000+00:00</updated>',
    ).replace(
      '<published>2026-02-12T15:43:00.000+00:00</published>',
      '<published>2026-02-12T15:44:00.000+00:00</published>',
    );
    expect(redated).not.toBe(ATOM);
    server.route(path, { kind: 'body', body: redated });
    await pollFeed(feed, deps);
    expect(sink.edits).toEqual([]);
  });

  it('records why posts were remembered without announcing: first sight, and older than the age limit', async () => {
    const { feed, path, deps, decisions, clock } = setup();
    server.route(path, { kind: 'body', body: withoutNewest(ATOM, 1) });
    await pollFeed(feed, deps);
    const seeded = await decisions.read(
      postKey('psf', 'tag:blogger.com,1999:blog-4781218476587227457.post-1239881279506315890'),
      CHANNEL,
    );
    expect(seeded.seeded).toEqual({ kind: 'first_sight' });
    clock.now = new Date('2026-03-30T00:00:00Z');
    server.route(path, { kind: 'body', body: ATOM });
    await pollFeed(feed, deps);
    expect((await decisions.read(postKey('psf', NEWEST), CHANNEL)).seeded).toEqual({
      kind: 'too_old',
      publishedAt: '2026-02-12T15:43:00.000Z',
    });
  });
});
