import { describe, expect, it } from 'vitest';
import { CommandCore } from '../../../src/commands/command-core.js';
import type { Reply } from '../../../src/commands/types.js';
import { PostIndex } from '../../../src/search/post-index.js';
import type { PostStore } from '../../../src/store/post-store.js';
import { makePost } from '../store/post-store.contract.js';
import { MEMBER, OPERATOR, makeCore } from './core-fixture.js';

const day = (n: number) => new Date(Date.UTC(2026, 1, n)).toISOString();
const POSTS = [
  makePost({ id: 'a', feed: 'psf', publishedAt: day(1), title: 'Grants reopen', tags: ['Grants'] }),
  makePost({
    id: 'b',
    feed: 'psf',
    publishedAt: day(3),
    title: 'Board news',
    tags: ['grants', 'Board of Directors'],
  }),
  makePost({
    id: 'c',
    feed: 'insider',
    publishedAt: day(2),
    title: 'Python 3.14.1 released',
    tags: ['release'],
  }),
  makePost({ id: 'd', feed: 'psf', publishedAt: day(4), title: 'Fellows Q1', tags: ['grants'] }),
];

const text = (reply: Reply) =>
  reply.kind === 'text' ? reply.text : reply.kind === 'error' ? reply.message : reply.heading;
const ids = (reply: Reply) => (reply.kind === 'posts' ? reply.posts.map((post) => post.id) : []);

describe('CommandCore lookups', () => {
  it('answers latest across feeds, or one feed, and names the feed in the heading', async () => {
    const { core } = await makeCore(POSTS);
    const all = await core.handle({ name: 'latest', count: 5, share: false }, MEMBER);
    expect(all).toMatchObject({ kind: 'posts', heading: 'Latest 4 posts' });
    expect(ids(all)).toEqual(['d', 'b', 'c', 'a']);
    const one = await core.handle({ name: 'latest', count: 1, feed: 'insider', share: false }, MEMBER);
    expect(one).toMatchObject({ kind: 'posts', heading: 'Latest post from insider' });
    expect(ids(one)).toEqual(['c']);
  });

  it('refuses a word that is no known feed, saying what a count is and which feeds are known', async () => {
    const { core } = await makeCore(POSTS);
    // `latest abc` is most often a mistyped count: the answer must not only say "unknown feed".
    expect(await core.handle({ name: 'latest', count: 5, feed: 'nope', share: false }, MEMBER)).toEqual({
      kind: 'error',
      message:
        '“nope” is not a count or a known feed: a count is a whole number from 1 to 10 (`latest 3`); known feeds: psf, insider.',
    });
  });

  it('says when there is nothing to show yet', async () => {
    const { core } = await makeCore([], ['psf']);
    expect(text(await core.handle({ name: 'latest', count: 5, share: false }, MEMBER))).toMatch(
      /No posts from psf yet/,
    );
    expect(text(await core.handle({ name: 'tags', share: false }, MEMBER))).toBe(
      'No post carries a tag yet.',
    );
    const tag = await core.handle({ name: 'tag', tag: 'grants', count: 5, share: false }, MEMBER);
    expect(tag).toEqual({
      kind: 'posts',
      heading: 'No posts tagged “grants”. Send `tags` to see the tags in use.',
      posts: [],
      suggestions: [],
    });
  });

  it('answers tag with the most used spelling in the heading and the count asked for', async () => {
    const { core } = await makeCore(POSTS);
    const reply = await core.handle({ name: 'tag', tag: 'GRANTS', count: 2, share: false }, MEMBER);
    expect(reply).toMatchObject({ kind: 'posts', heading: 'Posts tagged “grants”' });
    expect(ids(reply)).toEqual(['d', 'b']);
  });

  it('lists all tags with counts when there are few', async () => {
    const { core } = await makeCore(POSTS);
    expect(text(await core.handle({ name: 'tags', share: false }, MEMBER))).toBe(
      '3 tags in use, most used first: grants (3), Board of Directors (1), release (1). Send `tag <name>` to see the posts.',
    );
  });

  it('answers help in one short message naming every command', async () => {
    const { core } = await makeCore(POSTS);
    const help = text(await core.handle({ name: 'help', share: false }, MEMBER));
    for (const word of [
      'latest',
      'tag',
      'tags',
      'search',
      'status',
      'subscribe',
      'unsubscribe',
      'subscriptions',
      'share',
    ]) {
      expect(help).toContain(`\`${word}`);
    }
    expect(help.length).toBeLessThan(600);
  });
});

describe('CommandCore status', () => {
  it('shows each feed: posts, last success, next poll, failures, and the queues', async () => {
    const { core, feedStates } = await makeCore(POSTS);
    await feedStates.save({
      feed: 'psf',
      lastStatus: 200,
      lastAttemptAt: '2026-03-01T11:58:00.000Z',
      lastSuccessAt: '2026-03-01T11:58:00.000Z',
      consecutiveFailures: 0,
      nextAttemptAt: null,
      lastError: null,
      etag: null,
      lastModified: null,
      resolvedUrl: null,
    });
    await feedStates.save({
      feed: 'insider',
      lastStatus: 'error',
      lastAttemptAt: '2026-03-01T11:50:00.000Z',
      lastSuccessAt: '2026-02-27T12:00:00.000Z',
      consecutiveFailures: 3,
      nextAttemptAt: '2026-03-01T12:30:00.000Z',
      lastError: 'timed out after 15s',
      etag: null,
      lastModified: null,
      resolvedUrl: null,
    });
    const reply = text(await core.handle({ name: 'status', share: false }, OPERATOR));
    expect(reply).toContain(
      'Feed psf: 3 posts indexed; last successful poll 2 minutes ago (2026-03-01T11:58:00.000Z); next poll in 3 minutes.',
    );
    expect(reply).toContain('Feed insider: 1 post indexed; last successful poll 2 days ago');
    expect(reply).toContain('next poll in 30 minutes');
    expect(reply).toContain('3 consecutive failures, last error: timed out after 15s');
    expect(reply).toContain('announce: 2 waiting, 0 active, 0 delayed, 1 failed');
    // A member sees the same feeds, but the queues as one word, never their counts.
    const member = text(await core.handle({ name: 'status', share: false }, MEMBER));
    expect(member).toContain('3 consecutive failures, last error: timed out after 15s');
    expect(member).toContain('Deliveries: healthy');
    expect(member).not.toMatch(/waiting|announce:/);
  });

  it('still answers when a feed was never polled and the queues cannot be read', async () => {
    const { core, queues } = await makeCore(POSTS, ['psf']);
    queues.failure = new Error('redis down');
    const reply = text(await core.handle({ name: 'status', share: false }, OPERATOR));
    expect(reply).toContain(
      'Feed psf: 3 posts indexed; never polled successfully; next poll when the poller starts.',
    );
    expect(reply).toContain('Queues: could not be read.');
    expect(text(await core.handle({ name: 'status', share: false }, MEMBER))).toContain(
      'Deliveries: not known (the queues could not be read).',
    );
  });
});

describe('CommandCore failures', () => {
  it('turns an unexpected failure into a generic error reply, never a throw', async () => {
    const broken = new Proxy({} as PostStore, {
      get: () => async () => {
        throw new Error('connection reset');
      },
    });
    const errors: unknown[] = [];
    const core = new CommandCore({
      posts: broken,
      index: PostIndex.build([]),
      subscriptions: (await makeCore([])).subscriptions,
      feedStates: (await makeCore([])).feedStates,
      queues: { counts: async () => ({}) },
      feeds: [{ name: 'psf', url: 'x' }],
      pollIntervalMs: 1000,
      logger: { error: (...args: unknown[]) => errors.push(args) } as never,
    });
    const reply = await core.handle({ name: 'latest', count: 5, share: false }, MEMBER);
    expect(reply).toEqual({ kind: 'error', message: expect.stringMatching(/something went wrong/i) });
    expect(JSON.stringify(reply)).not.toContain('connection reset');
    expect(errors).toHaveLength(1);
    expect(await core.handle({ name: 'bogus' } as never, MEMBER)).toMatchObject({ kind: 'error' });
    expect(await core.handle(null as never, MEMBER)).toMatchObject({ kind: 'error' });
  });

  it('suggests nothing rather than throwing on odd autocomplete input', async () => {
    const { core } = await makeCore(POSTS);
    expect(await core.suggestTags(undefined as never, 5)).toEqual([
      'grants',
      'Board of Directors',
      'release',
    ]);
    expect(await core.suggestTags('gr', -1)).toEqual([]);
    expect(await core.suggestTags('Board', 1)).toEqual(['Board of Directors']);
  });
});
