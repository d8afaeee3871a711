import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file rather than the working directory. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `tests/fixtures` (tests/fixtures/README.md says where each file came from). */
export const FIXTURES_DIR = resolve(REPO_ROOT, 'tests', 'fixtures');

const feeds = join(FIXTURES_DIR, 'feeds');

/** Paths of the feed fixtures. */
export const FIXTURES = {
  /** The 25 newest PSF posts, Blogger Atom. */
  bloggerAtom: join(feeds, 'psf-blogger-atom.xml'),
  /** The whole PSF archive, 733 posts in five `start-index-N.xml` pages of 150. */
  archiveDir: join(feeds, 'psf-archive'),
  /** The 50 newest PSF posts as RSS from the new static site. */
  astroRss: join(feeds, 'psf-astro-rss.xml'),
  /** The 50 newest Python Insider posts, RSS. */
  insiderRss: join(feeds, 'python-insider-rss.xml'),
  /** The same 50 Python Insider posts as its old Blogger Atom feed gave them (made for the tests). */
  insiderBloggerAtom: join(feeds, 'python-insider-blogger-atom.xml'),
  /** Five PyPI blog posts in the MkDocs RSS plugin's shape (`feed_rss_created.xml`). */
  pypiRss: join(feeds, 'pypi-blog-rss.xml'),
} as const;

/** The archive's page start indexes, in order. */
export const ARCHIVE_STARTS = [1, 151, 301, 451, 601] as const;

/** Posts in the whole archive. */
export const ARCHIVE_TOTAL = 733;

/** The path of one archive page. */
export function archivePage(start: number): string {
  return join(FIXTURES.archiveDir, `start-index-${start}.xml`);
}

const cache = new Map<string, string>();

/** A fixture's text, read once per process. */
export function readFixture(path: string): string {
  let text = cache.get(path);
  if (text === undefined) {
    text = readFileSync(path, 'utf8');
    cache.set(path, text);
  }
  return text;
}
