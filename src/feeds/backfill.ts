import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeedConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { PostStore } from '../store/post-store.js';
import type { FeedMemory } from './feed-memory.js';
import { fetchFile } from './fetch-file.js';
import { fetchFeed, isHttpUrl } from './fetch.js';
import { DEFAULT_MAX_BYTES, type FetchOptions } from './fetch-types.js';
import { parseFeed } from './parse.js';
import { storePosts } from './store-posts.js';

/** What a backfill needs: no sink, since a backfill announces nothing. */
export interface BackfillDeps {
  posts: PostStore;
  memory: FeedMemory;
  fetchOptions: FetchOptions;
  logger: Logger;
}

/** docs/cli.md's `backfill --json` object. */
export interface BackfillResult {
  feed: string;
  /** Pages that held entries. */
  pages: number;
  /** Distinct posts now stored for the feed. */
  posts: number;
  /** Set when the one page read says the feed has more (a `rel="next"` link, or a larger total) not read. */
  morePages?: true;
}

/** Progress after each page, for a terminal progress bar. */
export interface BackfillProgress {
  feed: string;
  pages: number;
  /** Distinct posts read so far. */
  posts: number;
  /** The feed's own count (`openSearch:totalResults`), when it gives one. */
  total: number | null;
}

/** Blogger serves at most 150 entries a page (PLATFORM-NOTES §6). */
export const BLOGGER_PAGE_SIZE = 150;
const MAX_PAGES = 10_000;

/** One archive page: its body and the 1-based position of its first entry. */
interface Page {
  body: string;
  start: number;
  /** A single file or non-Blogger URL: nothing follows its `rel="next"`. */
  alone?: true;
}

/** A page source; lazy, so leaving the loop early fetches nothing more. */
type Pages = () => AsyncGenerator<Page>;

/**
 * Indexes a feed's whole archive without announcing anything (DESIGN §2): Blogger feeds page by
 * `start-index`/`max-results`, other feeds give what one page holds. On a feed never polled, posts are marked
 * seen and the feed known, so the first poll announces none of them; on a feed already polled only their
 * fingerprints are recorded, so a post published since the last poll is still announced. Idempotent.
 * Throws `FeedFetchError`/`FeedParseError`.
 */
export async function backfillFeed(
  feed: FeedConfig,
  deps: BackfillDeps,
  onProgress?: (progress: BackfillProgress) => void,
): Promise<BackfillResult> {
  const ids = new Set<string>();
  let pages = 0;
  let total: number | null = null;
  let unread = false;
  // On a feed already polled, the archive's newest posts may include one published since the last poll:
  // marking it seen here would keep the next poll from announcing it. Only record fingerprints then.
  const known = await deps.memory.isKnown(feed.name);
  const source = await pagesOf(feed.url, deps.fetchOptions);
  for await (const page of source()) {
    const parsed = await parseFeed(page.body, feed.name);
    total = parsed.totalResults ?? total;
    const fresh = parsed.posts.filter((post) => !ids.has(post.id));
    for (const skipped of parsed.skipped)
      deps.logger.warn({ feed: feed.name, ...skipped }, 'feed item skipped');
    if (parsed.posts.length === 0 && parsed.skipped.length === 0) break;
    // A server that ignores start-index returns the same page forever: stop when a page adds nothing.
    if (fresh.length === 0 && pages > 0) break;
    const { posts } = await storePosts(feed.name, parsed.posts, deps.posts, deps.memory);
    if (known) await deps.memory.claim(feed.name, posts);
    else await deps.memory.remember(feed.name, posts);
    for (const post of posts) ids.add(post.id);
    pages += 1;
    unread = page.alone === true && (parsed.next !== null || (total !== null && total > ids.size));
    onProgress?.({ feed: feed.name, pages, posts: ids.size, total });
    if (total !== null && page.start + BLOGGER_PAGE_SIZE > total) break;
  }
  await deps.memory.markKnown(feed.name);
  const posts = await deps.posts.count(feed.name);
  return { feed: feed.name, pages, posts, ...(unread ? { morePages: true as const } : {}) };
}

async function pagesOf(url: string, options: FetchOptions): Promise<Pages> {
  if (isHttpUrl(url)) {
    return isBloggerFeed(url) ? bloggerPages(url, options) : singlePage(url, options);
  }
  const path = /^file:/i.test(url) ? fileURLToPath(url) : url;
  const info = await stat(path).catch(() => null);
  return info?.isDirectory() ? directoryPages(path, options) : singlePage(path, options);
}

/** Blogger's feeds live under `/feeds/…/posts/…` on blogspot.com, blogger.com or a custom domain. */
export function isBloggerFeed(url: string): boolean {
  const parsed = new URL(url);
  return (
    /(?:^|\.)(?:blogspot\.com|blogger\.com)$/i.test(parsed.hostname) ||
    /\/feeds\/(?:[^/]+\/)*posts\//.test(parsed.pathname)
  );
}

/**
 * The URL of one archive page, built on the configured URL: the feed's own `rel="next"` names
 * www.blogger.com, which would bypass a custom domain, a proxy or a local test server.
 */
export function bloggerPageUrl(url: string, startIndex: number, maxResults = BLOGGER_PAGE_SIZE): string {
  const page = new URL(url);
  page.searchParams.set('start-index', String(startIndex));
  page.searchParams.set('max-results', String(maxResults));
  return page.href;
}

function bloggerPages(url: string, options: FetchOptions): Pages {
  return async function* () {
    for (let page = 0, start = 1; page < MAX_PAGES; page += 1, start += BLOGGER_PAGE_SIZE) {
      const fetched = await fetchFeed(bloggerPageUrl(url, start), {}, options);
      if (fetched.status !== 200) return;
      yield { body: fetched.body, start };
    }
  };
}

function singlePage(url: string, options: FetchOptions): Pages {
  return async function* () {
    const fetched = await fetchFeed(url, {}, options);
    if (fetched.status === 200) yield { body: fetched.body, start: 1, alone: true };
  };
}

/** An archive directory holds `start-index-N.xml` pages, read in order of N. */
function directoryPages(dir: string, options: FetchOptions): Pages {
  return async function* () {
    const names = (await readdir(dir))
      .map((name) => ({ name, n: Number(/^start-index-(\d+)\.xml$/.exec(name)?.[1]) }))
      .filter((page) => Number.isInteger(page.n))
      .sort((a, b) => a.n - b.n);
    for (const { name, n } of names) {
      const fetched = await fetchFile(join(dir, name), {}, options.maxBytes ?? DEFAULT_MAX_BYTES);
      if (fetched.status === 200) yield { body: fetched.body, start: n };
    }
  };
}
