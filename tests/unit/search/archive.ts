import { readFile } from 'node:fs/promises';
import { parseFeed } from '../../../src/feeds/parse.js';
import type { Post } from '../../../src/posts/post.js';

const ARCHIVE = new URL('../../fixtures/feeds/psf-archive/', import.meta.url);
const PAGES = [1, 151, 301, 451, 601];

let cached: Promise<Post[]> | null = null;

/** The 733 real PSF blog posts of the fixture archive, parsed once per test file, newest first. */
export function loadArchive(): Promise<Post[]> {
  cached ??= Promise.all(
    PAGES.map(async (start) => {
      const xml = await readFile(new URL(`start-index-${start}.xml`, ARCHIVE), 'utf8');
      return (await parseFeed(xml, 'psf')).posts;
    }),
  ).then((pages) => pages.flat());
  return cached;
}
