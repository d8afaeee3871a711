import { beforeAll, describe, expect, it } from 'vitest';
import type { CommandCore } from '../../../src/commands/command-core.js';
import type { Reply } from '../../../src/commands/types.js';
import type { Post } from '../../../src/posts/post.js';
import { normaliseTag } from '../../../src/posts/tags.js';
import { loadArchive } from '../search/archive.js';
import { MEMBER, makeCore } from './core-fixture.js';

function postsOf(reply: Reply): Extract<Reply, { kind: 'posts' }> {
  if (reply.kind !== 'posts') throw new Error(`expected posts, got ${JSON.stringify(reply)}`);
  return reply;
}

function textOf(reply: Reply): string {
  if (reply.kind !== 'text') throw new Error(`expected text, got ${JSON.stringify(reply)}`);
  return reply.text;
}

const times = (posts: Post[]) => posts.map((post) => Date.parse(post.publishedAt ?? ''));
const isNewestFirst = (posts: Post[]) => times(posts).every((t, i, all) => i === 0 || t <= all[i - 1]!);
const hasTag = (post: Post, tag: string) => post.tags.some((label) => normaliseTag(label) === tag);

describe('CommandCore on the 733-post PSF archive', () => {
  let archive: Post[];
  let core: CommandCore;
  beforeAll(async () => {
    archive = await loadArchive();
    ({ core } = await makeCore(archive, ['psf']));
  });

  it('answers `latest 3` with the three newest posts of the archive', async () => {
    const reply = postsOf(await core.handle({ name: 'latest', count: 3, share: false }, MEMBER));
    expect(reply.heading).toBe('Latest 3 posts from psf');
    const newest = [...archive]
      .sort((a, b) => Date.parse(b.publishedAt!) - Date.parse(a.publishedAt!))
      .slice(0, 3);
    expect(reply.posts.map((post) => post.id)).toEqual(newest.map((post) => post.id));
  });

  it('answers `tag grants` with posts labelled grants or Grants, newest first', async () => {
    const reply = postsOf(await core.handle({ name: 'tag', tag: 'grants', count: 10, share: false }, MEMBER));
    expect(reply.heading).toBe('Posts tagged “grants”');
    expect(reply.posts).toHaveLength(10);
    for (const post of reply.posts)
      expect(post.tags.some((tag) => tag === 'grants' || tag === 'Grants')).toBe(true);
    expect(isNewestFirst(reply.posts)).toBe(true);
    const tagged = archive.filter((post) => hasTag(post, 'grants'));
    const newestTagged = Math.max(...times(tagged));
    expect(Date.parse(reply.posts[0]!.publishedAt!)).toBe(newestTagged);
  });

  it('matches `tag Board-Of-Directors` to posts labelled "Board of Directors"', async () => {
    const reply = postsOf(
      await core.handle({ name: 'tag', tag: 'Board-Of-Directors', count: 5, share: false }, MEMBER),
    );
    expect(reply.heading).toBe('Posts tagged “Board of Directors”');
    expect(reply.posts.length).toBeGreaterThan(0);
    for (const post of reply.posts) expect(post.tags).toContain('Board of Directors');
  });

  it('answers `tag grnts` with no posts and suggestions including "grants"', async () => {
    const reply = postsOf(await core.handle({ name: 'tag', tag: 'grnts', count: 5, share: false }, MEMBER));
    expect(reply.posts).toEqual([]);
    expect(reply.heading).toMatch(/No posts tagged “grnts”/);
    expect(reply.suggestions).toContain('grants');
  });

  it('lists the 30 most used tags with counts, and says how many more there are', async () => {
    const text = textOf(await core.handle({ name: 'tags', share: false }, MEMBER));
    expect(text).toMatch(/^\d+ tags in use, most used first: pycon \(50\), /);
    const more = Number(/and (\d+) more/.exec(text)?.[1]);
    const total = Number(/^(\d+) tags/.exec(text)?.[1]);
    expect(total - more).toBe(30);
  });

  it('answers `search pycon`, and the typo `serach pycn`, with PyCon posts', async () => {
    for (const query of ['pycon', 'serach pycn']) {
      const reply = postsOf(await core.handle({ name: 'search', query, share: false }, MEMBER));
      expect(reply.heading).toBe(`Best matches for “${query}”`);
      expect(reply.posts).toHaveLength(5);
      for (const post of reply.posts)
        expect(`${post.title} ${post.tags.join(' ')} ${post.summary}`).toMatch(/pycon/i);
    }
  });

  it('says so when a search finds nothing', async () => {
    const text = textOf(await core.handle({ name: 'search', query: 'qqxxzzy', share: false }, MEMBER));
    expect(text).toMatch(/Nothing found for “qqxxzzy”/);
  });

  it('counts the indexed posts in `status`', async () => {
    const text = textOf(await core.handle({ name: 'status', share: false }, MEMBER));
    expect(text).toMatch(/Feed psf: 733 posts indexed/);
    expect(text).toMatch(/Search index: 733 posts/);
  });

  it('autocompletes tags', async () => {
    expect(await core.suggestTags('gra', 25)).toEqual(expect.arrayContaining(['grants', 'grant']));
    expect(await core.suggestTags('', 100)).toHaveLength(25);
  });
});
