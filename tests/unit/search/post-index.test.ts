import { beforeAll, describe, expect, it } from 'vitest';
import type { Post } from '../../../src/posts/post.js';
import { normaliseTag } from '../../../src/posts/tags.js';
import { PostIndex } from '../../../src/search/post-index.js';
import { makePost } from '../store/post-store.contract.js';
import { loadArchive } from './archive.js';

const titles = (posts: Post[]) => posts.map((post) => post.title);

describe('PostIndex on synthetic posts', () => {
  const posts = [
    makePost({
      id: '1',
      title: 'Grants program reopens',
      summary: 'Apply for community grants.',
      tags: ['Grants'],
    }),
    makePost({
      id: '2',
      title: 'PyCon US 2024 recap',
      summary: 'Thanks to every volunteer.',
      tags: ['PyCon'],
    }),
    makePost({
      id: '3',
      title: 'Board election results',
      summary: 'The grants committee also met.',
      tags: ['Board of Directors'],
    }),
    makePost({
      id: '4',
      title: 'Packaging survey',
      summary: 'Tell us about pip and PyPI.',
      tags: ['pypi', 'grant'],
    }),
  ];

  it('ranks a title match above a summary match, and matches close words too', () => {
    const found = titles(PostIndex.build(posts).search('grants'));
    expect(found[0]).toBe('Grants program reopens');
    expect(found).toContain('Board election results'); // in its summary
    expect(found).toContain('Packaging survey'); // tagged "grant"
    expect(found).not.toContain('PyCon US 2024 recap');
  });

  it('forgives typos and completes prefixes', () => {
    const index = PostIndex.build(posts);
    expect(titles(index.search('pycn'))[0]).toBe('PyCon US 2024 recap');
    expect(titles(index.search('packag'))[0]).toBe('Packaging survey');
    expect(titles(index.search('elektion'))[0]).toBe('Board election results');
  });

  it('ranks posts matching more of the words first', () => {
    expect(titles(PostIndex.build(posts).search('grants election'))[0]).toBe('Board election results');
  });

  it('ranks good matches (every word in the title) newest first, above newer posts only mentioning them', () => {
    const post = (id: string, year: number, title: string, summary = '') =>
      makePost({ id, title, summary, tags: [], publishedAt: `${year}-01-01T00:00:00.000Z` });
    const index = PostIndex.build([
      post('old', 2008, 'Sprint report'),
      post('new', 2025, 'Sprint report from the PyCon sprints'),
      post('middle', 2016, 'Sprint report'),
      post('strong-old', 2007, 'Sprint sprint report sprints'),
      post('mention', 2026, 'Community news', 'A sprint, a sprint, and one more sprint.'),
    ]);
    expect(index.search('sprint', 5).map((hit) => hit.id)).toEqual([
      'new',
      'middle',
      'old',
      'strong-old',
      'mention',
    ]);
    expect(index.search('sprint', 2).map((hit) => hit.id)).toEqual(['new', 'middle']);
  });

  it('puts a post titled exactly as the query first, however old', () => {
    const post = (id: string, year: number, title: string) =>
      makePost({ id, title, summary: '', tags: [], publishedAt: `${year}-01-01T00:00:00.000Z` });
    const index = PostIndex.build([
      post('newer', 2025, 'Board election results are in'),
      post('exact', 2012, 'Board Election'),
      post('newest', 2026, 'Board election: how to vote'),
    ]);
    expect(index.search('board election', 3).map((hit) => hit.id)).toEqual(['exact', 'newest', 'newer']);
  });

  it('ranks every match newest first with sort:new, and keeps to a year when one is named', () => {
    const post = (id: string, published: string, title: string, summary = '') =>
      makePost({ id, title, summary, tags: [], publishedAt: published });
    const index = PostIndex.build([
      post('pycon-2019-announced', '2018-11-01T00:00:00.000Z', 'PyCon 2019 registration opens'),
      post('pycon-2019-recap', '2019-05-20T00:00:00.000Z', 'PyCon recap'),
      post('pycon-2020', '2020-03-01T00:00:00.000Z', 'PyCon news'),
      post('mention-2021', '2021-01-01T00:00:00.000Z', 'Community update', 'see you at PyCon'),
    ]);
    expect(index.search('pycon 2019', 5).map((hit) => hit.id)).toEqual([
      'pycon-2019-recap',
      'pycon-2019-announced',
    ]);
    expect(index.search('pycon sort:new', 5).map((hit) => hit.id)).toEqual([
      'mention-2021',
      'pycon-2020',
      'pycon-2019-recap',
      'pycon-2019-announced',
    ]);
    expect(index.search('2020 sort:new', 5).map((hit) => hit.id)).toEqual(['pycon-2020']);
    expect(index.search('sort:new', 5)).toEqual([]);
  });

  it('returns the same best few as ranking every match, over many similar posts', () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      makePost({
        id: `p${i}`,
        title: i % 7 === 0 ? 'Python packaging news' : `Community update ${i}`,
        summary: i % 3 === 0 ? 'python packaging and community' : 'python community',
        tags: [],
        publishedAt: new Date(Date.UTC(2006 + (i % 20), i % 12, 1 + (i % 28))).toISOString(),
      }),
    );
    const index = PostIndex.build(many);
    const all = index.search('python packaging', many.length).map((post) => post.id);
    expect(index.search('python packaging', 5).map((post) => post.id)).toEqual(all.slice(0, 5));
    expect(all.length).toBeGreaterThan(100);
  });

  it('honours the limit, and answers nothing for an empty or hopeless query', () => {
    const index = PostIndex.build(posts);
    expect(index.search('the grants pypi pycon board', 2)).toHaveLength(2);
    expect(index.search('   ')).toEqual([]);
    expect(index.search('zzqqxx')).toEqual([]);
    expect(index.search('grants', 0)).toEqual([]);
  });

  it('replaces a post on upsert instead of indexing it twice', () => {
    const index = PostIndex.build(posts);
    index.upsert([{ ...posts[1]!, title: 'EuroPython recap', tags: ['EuroPython'] }]);
    expect(index.size).toBe(4);
    expect(titles(index.search('pycon'))).toEqual([]);
    expect(titles(index.search('europython'))).toEqual(['EuroPython recap']);
    expect(index.suggestTags('pyc', 5)).toEqual([]);
    expect(index.suggestTags('euro', 5)).toEqual(['EuroPython']);
  });

  it('rebuilds from scratch, forgetting posts that are gone', () => {
    const index = PostIndex.build(posts);
    index.rebuild([posts[0]!]);
    expect(index.size).toBe(1);
    expect(index.search('pycon')).toEqual([]);
    expect(index.suggestTags('', 10)).toEqual(['Grants']);
  });

  it('suggests tags by prefix, then by word, then by spelling, most used first within each', () => {
    const index = PostIndex.build([
      ...posts,
      makePost({ id: '5', tags: ['grant'] }),
      makePost({ id: '6', tags: ['grant', 'Job board'] }),
    ]);
    expect(index.suggestTags('gra', 5)).toEqual(['grant', 'Grants']);
    expect(index.suggestTags('board', 5)).toEqual(['Board of Directors', 'Job board']);
    expect(index.suggestTags('BOARD-OF', 5)[0]).toBe('Board of Directors');
    expect(index.suggestTags('grnts', 5)[0]).toBe('Grants');
    expect(index.suggestTags('', 2)).toEqual(['grant', 'Board of Directors']);
    expect(index.suggestTags('gra', 1)).toEqual(['grant']);
    expect(index.suggestTags('xyzzy', 5)).toEqual([]);
  });

  it('knows the most used spelling of a tag', () => {
    const index = PostIndex.build([
      makePost({ id: 'a', tags: ['PSF'] }),
      makePost({ id: 'b', tags: ['psf'] }),
      makePost({ id: 'c', tags: ['PSF'] }),
    ]);
    expect(index.labelOf('psf')).toBe('PSF');
    expect(index.labelOf('nope')).toBeNull();
  });
});

describe('PostIndex on the 733-post PSF archive', () => {
  let archive: Post[];
  let index: PostIndex;
  beforeAll(async () => {
    archive = await loadArchive();
    index = PostIndex.build(archive);
  });

  const aboutPycon = (post: Post) =>
    /pycon/i.test(post.title) ||
    post.tags.some((tag) => normaliseTag(tag) === 'pycon') ||
    /pycon/i.test(post.summary);

  it('indexes every post', () => {
    expect(archive).toHaveLength(733);
    expect(index.size).toBe(733);
  });

  it('finds PyCon posts for "pycon", and still for the typo "serach pycn"', () => {
    for (const query of ['pycon', 'serach pycn', 'pycn']) {
      const found = index.search(query);
      expect(found, query).toHaveLength(5);
      for (const post of found) expect(aboutPycon(post), `${query}: ${post.title}`).toBe(true);
    }
  });

  it.each(['pycon', 'grants', 'board election', 'pypi', 'security', 'fellow', 'sponsor', 'survey'])(
    'has the newest post whose title contains "%s" in the top 3',
    (query) => {
      const words = query.split(' ');
      const newest = archive
        .filter((post) => words.every((word) => post.title.toLowerCase().includes(word)))
        .sort((a, b) => Date.parse(b.publishedAt ?? '') - Date.parse(a.publishedAt ?? ''))[0];
      expect(newest, query).toBeDefined();
      expect(titles(index.search(query, 3)), query).toContain(newest!.title);
    },
  );

  it('ranks packaging posts first for "python packaging"', () => {
    const found = index.search('python packaging');
    expect(found.length).toBeGreaterThan(0);
    for (const post of found.slice(0, 3)) expect(post.title).toMatch(/packaging/i);
  });

  it('suggests "grants" for the typo "grnts" and completes "board"', () => {
    expect(index.suggestTags('grnts', 5)).toContain('grants');
    expect(index.suggestTags('board', 5)).toContain('Board of Directors');
    expect(index.suggestTags('Board-Of-Directors', 5)[0]).toBe('Board of Directors');
  });
});
