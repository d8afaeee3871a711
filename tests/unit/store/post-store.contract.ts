import { beforeEach, describe, expect, it } from 'vitest';
import type { Post } from '../../../src/posts/post.js';
import type { PostStore } from '../../../src/store/post-store.js';

/** A post with sensible defaults; tests override what they assert on. */
export function makePost(overrides: Partial<Post> & { id: string }): Post {
  return {
    feed: 'psf',
    title: `Post ${overrides.id}`,
    url: `https://example.org/${overrides.id}`,
    author: 'PSF',
    publishedAt: '2024-01-01T00:00:00.000Z',
    updatedAt: null,
    tags: [],
    summary: `Summary of ${overrides.id}.`,
    image: null,
    ...overrides,
  };
}

const day = (n: number) => new Date(Date.UTC(2024, 0, n)).toISOString();
const ids = (posts: Post[]) => posts.map((post) => post.id);

/** The behaviour every `PostStore` must have; `create` returns an empty store. */
export function postStoreContract(name: string, create: () => Promise<PostStore>): void {
  describe(`${name} (PostStore contract)`, () => {
    let store: PostStore;
    beforeEach(async () => {
      store = await create();
    });

    it('returns a saved post unchanged and null for an unknown one', async () => {
      const post = makePost({ id: 'a', tags: ['Grants', 'PyCon US'], image: 'https://img/x.png' });
      await store.save([post]);
      expect(await store.get('psf', 'a')).toEqual(post);
      expect(await store.get('psf', 'missing')).toBeNull();
      expect(await store.get('other', 'a')).toBeNull();
    });

    it('lists the newest first, undated posts last, limited to the count', async () => {
      await store.save([
        makePost({ id: 'old', publishedAt: day(1) }),
        makePost({ id: 'undated', publishedAt: null }),
        makePost({ id: 'new', publishedAt: day(9) }),
        makePost({ id: 'mid', publishedAt: day(5) }),
      ]);
      expect(ids(await store.latest(10))).toEqual(['new', 'mid', 'old', 'undated']);
      expect(ids(await store.latest(2))).toEqual(['new', 'mid']);
      expect(await store.latest(0)).toEqual([]);
    });

    it('orders posts published at the same time the same way every time', async () => {
      const same = ['x', 'y', 'z'].map((id) => makePost({ id, publishedAt: day(3) }));
      await store.save(same);
      const first = ids(await store.latest(3));
      expect(first).toHaveLength(3);
      expect(ids(await store.all())).toEqual(first);
    });

    it('lists and counts one feed alone when asked', async () => {
      await store.save([
        makePost({ id: 'a', feed: 'psf', publishedAt: day(1) }),
        makePost({ id: 'b', feed: 'insider', publishedAt: day(2) }),
        makePost({ id: 'c', feed: 'psf', publishedAt: day(3) }),
      ]);
      expect(ids(await store.latest(5, 'psf'))).toEqual(['c', 'a']);
      expect(ids(await store.latest(5, 'insider'))).toEqual(['b']);
      expect(await store.latest(5, 'nope')).toEqual([]);
      expect(await store.count()).toBe(3);
      expect(await store.count('psf')).toBe(2);
      expect(await store.count('nope')).toBe(0);
    });

    it('keeps the same id in two feeds apart', async () => {
      await store.save([makePost({ id: 'same', feed: 'psf' }), makePost({ id: 'same', feed: 'insider' })]);
      expect(await store.count()).toBe(2);
      expect((await store.get('insider', 'same'))?.feed).toBe('insider');
    });

    it('matches tags case-, spacing- and hyphen-insensitively, newest first', async () => {
      await store.save([
        makePost({ id: 'a', publishedAt: day(1), tags: ['Board of Directors'] }),
        makePost({ id: 'b', publishedAt: day(2), tags: ['board-of-directors', 'Grants'] }),
        makePost({ id: 'c', publishedAt: day(3), tags: ['grants'] }),
        makePost({ id: 'd', publishedAt: day(4), tags: [] }),
      ]);
      expect(ids(await store.byTag('BOARD_OF  DIRECTORS', 5))).toEqual(['b', 'a']);
      expect(ids(await store.byTag('grants', 5))).toEqual(['c', 'b']);
      expect(ids(await store.byTag('grants', 1))).toEqual(['c']);
      expect(await store.byTag('nothing', 5)).toEqual([]);
      expect(await store.byTag('  ', 5)).toEqual([]);
    });

    it('counts tags most used first, with the spelling most posts use', async () => {
      await store.save([
        makePost({ id: 'a', tags: ['Grants', 'PSF'] }),
        makePost({ id: 'b', tags: ['grants'] }),
        makePost({ id: 'c', tags: ['grants', 'Grants'] }),
        makePost({ id: 'd', tags: ['PyCon'] }),
      ]);
      expect(await store.tags()).toEqual([
        { tag: 'grants', label: 'grants', count: 3 },
        { tag: 'psf', label: 'PSF', count: 1 },
        { tag: 'pycon', label: 'PyCon', count: 1 },
      ]);
    });

    it('fixes the tag index and counts when a post is saved again with other tags', async () => {
      await store.save([
        makePost({ id: 'a', tags: ['Grants', 'Elections'] }),
        makePost({ id: 'b', tags: ['Grants'] }),
      ]);
      await store.save([makePost({ id: 'a', tags: ['PyCon'], title: 'Renamed' })]);
      expect(ids(await store.byTag('elections', 5))).toEqual([]);
      expect(ids(await store.byTag('grants', 5))).toEqual(['b']);
      expect(ids(await store.byTag('pycon', 5))).toEqual(['a']);
      expect(await store.tags()).toEqual([
        { tag: 'grants', label: 'Grants', count: 1 },
        { tag: 'pycon', label: 'PyCon', count: 1 },
      ]);
      expect((await store.get('psf', 'a'))?.title).toBe('Renamed');
      expect(await store.count()).toBe(2);
    });

    it('moves a post when its publication time changes', async () => {
      await store.save([
        makePost({ id: 'a', publishedAt: day(1), tags: ['x'] }),
        makePost({ id: 'b', publishedAt: day(2), tags: ['x'] }),
      ]);
      await store.save([makePost({ id: 'a', publishedAt: day(3), tags: ['x'] })]);
      expect(ids(await store.latest(5))).toEqual(['a', 'b']);
      expect(ids(await store.byTag('x', 5))).toEqual(['a', 'b']);
      expect(await store.tags()).toEqual([{ tag: 'x', label: 'x', count: 2 }]);
    });

    it('follows the spelling that becomes most used', async () => {
      await store.save([makePost({ id: 'a', tags: ['Grants'] })]);
      expect((await store.tags())[0]?.label).toBe('Grants');
      await store.save([makePost({ id: 'b', tags: ['grants'] }), makePost({ id: 'c', tags: ['grants'] })]);
      expect(await store.tags()).toEqual([{ tag: 'grants', label: 'grants', count: 3 }]);
      await store.save([makePost({ id: 'b', tags: [] }), makePost({ id: 'c', tags: [] })]);
      expect(await store.tags()).toEqual([{ tag: 'grants', label: 'Grants', count: 1 }]);
    });

    it('handles the same post twice in one save as two saves in a row', async () => {
      await store.save([makePost({ id: 'a', tags: ['one'] }), makePost({ id: 'a', tags: ['two'] })]);
      expect(await store.tags()).toEqual([{ tag: 'two', label: 'two', count: 1 }]);
      expect(await store.count()).toBe(1);
    });

    it('saves hundreds of posts in one call and returns them all newest first', async () => {
      const many = Array.from({ length: 350 }, (_, i) =>
        makePost({
          id: `p${i}`,
          publishedAt: new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString(),
          tags: [`t${i % 7}`],
        }),
      );
      await store.save(many);
      await store.save([]);
      expect(await store.count()).toBe(350);
      const all = await store.all();
      expect(all).toHaveLength(350);
      expect(all[0]?.id).toBe('p349');
      expect(all[349]?.id).toBe('p0');
      expect((await store.tags()).reduce((sum, tag) => sum + tag.count, 0)).toBe(350);
    });

    it('keeps unicode and markup-like text intact', async () => {
      const post = makePost({ id: 'ü', title: 'Café <b>&amp;</b> “quotes” 🐍', tags: ['Ünïcode Tag'] });
      await store.save([post]);
      expect(await store.get('psf', 'ü')).toEqual(post);
      expect(ids(await store.byTag('ünïcode-tag', 1))).toEqual(['ü']);
      expect(await store.tags()).toEqual([{ tag: 'ünïcode tag', label: 'Ünïcode Tag', count: 1 }]);
    });

    it('does not share the stored post with the caller', async () => {
      const post = makePost({ id: 'a', tags: ['x'] });
      await store.save([post]);
      post.tags.push('mutated');
      const read = await store.get('psf', 'a');
      read?.tags.push('again');
      expect((await store.get('psf', 'a'))?.tags).toEqual(['x']);
    });
  });
}
