import type { Config, FeedConfig } from '../../src/config.js';
import { FeedFetchError, FeedParseError } from '../../src/feeds/errors.js';
import { fetchFeed } from '../../src/feeds/fetch.js';
import { parseFeed } from '../../src/feeds/parse.js';
import { displayUrl } from '../../src/redaction.js';
import { describeError, fail, pass, type DoctorCheck } from './report.js';

/** What probing a feed found. */
export interface FeedProbeResult {
  posts: number;
  /** Items the parser had to skip. */
  skipped: number;
  newestTitle: string | null;
}

/** Fetches and parses one feed; throws `FeedFetchError` or `FeedParseError` as the feeds pipeline does. */
export type FeedProbe = (feed: FeedConfig, fetchOptions: Config['fetch']) => Promise<FeedProbeResult>;

/** The real probe: the poller's own `fetchFeed` and `parseFeed`, with no validators so the body always comes. */
export const probeFeed: FeedProbe = async (feed, fetchOptions) => {
  const fetched = await fetchFeed(
    feed.url,
    {},
    { timeoutMs: fetchOptions.timeoutMs, maxBytes: fetchOptions.maxBytes },
  );
  if (fetched.status !== 200) return { posts: 0, skipped: 0, newestTitle: null };
  const parsed = await parseFeed(fetched.body, feed.name);
  return {
    posts: parsed.posts.length,
    skipped: parsed.skipped.length,
    newestTitle: newestByDate(parsed.posts)?.title ?? null,
  };
};

/** The post published last: feeds need not list newest first (an edited post may move up). */
export function newestByDate<T extends { publishedAt: string | null }>(posts: readonly T[]): T | undefined {
  const time = (post: T) =>
    post.publishedAt === null ? Number.NEGATIVE_INFINITY : Date.parse(post.publishedAt);
  return posts.reduce<T | undefined>(
    (best, post) => (best === undefined || time(post) > time(best) ? post : best),
    undefined,
  );
}

function fetchFix(error: FeedFetchError): string {
  switch (error.code) {
    case 'http':
      if (error.status === 404 || error.status === 410)
        return 'the URL is wrong or the feed moved: fix it in PSF_FEEDS';
      if (error.status !== null && error.status >= 500)
        return 'the site is having trouble: run doctor again later (the poller retries on its own)';
      return 'the server refused: check the URL in PSF_FEEDS (and whether the feed needs no login)';
    case 'timeout':
      return 'the server is slow or a firewall drops the connection: raise FETCH_TIMEOUT, or check the firewall or proxy';
    case 'network':
      return networkFix(error.message);
    case 'too-large':
      return 'raise FEED_MAX_BYTES, or point PSF_FEEDS at a smaller feed';
    case 'redirects':
      return 'point PSF_FEEDS at where the feed now lives';
    case 'file':
      return 'the file is missing or unreadable: fix the path in PSF_FEEDS';
  }
}

/** The remedy for the reason fetch.ts gave (name not resolved, refused, …). */
function networkFix(message: string): string {
  if (/ENOTFOUND|EAI_AGAIN/.test(message))
    return 'the host name does not resolve: check its spelling in PSF_FEEDS, and DNS from this machine';
  if (/ECONNREFUSED/.test(message))
    return 'nothing accepts connections there: check the port in PSF_FEEDS, and that the site is up';
  if (/unsupported URL scheme/.test(message)) return 'use an http(s) URL or a file path in PSF_FEEDS';
  return 'check the host is reachable from here (DNS, firewall, proxy)';
}

/** One feed: reachable, parseable as RSS or Atom, and holding posts. */
export async function checkFeed(
  feed: FeedConfig,
  config: Pick<Config, 'fetch'>,
  probe: FeedProbe,
): Promise<DoctorCheck> {
  const name = `feed ${feed.name}`;
  try {
    const found = await probe(feed, config.fetch);
    if (found.posts === 0) {
      return fail(
        name,
        `${displayUrl(feed.url)} parsed, but holds no posts${found.skipped ? ` (${found.skipped} unreadable items skipped)` : ''}`,
        'point PSF_FEEDS at the feed itself (for Blogger …/feeds/posts/default), not at the blog page',
      );
    }
    const skipped = found.skipped ? `, ${found.skipped} unreadable items skipped` : '';
    const newest = found.newestTitle ? `, newest "${found.newestTitle}"` : '';
    return pass(name, `${displayUrl(feed.url)}: ${found.posts} posts${newest}${skipped}`);
  } catch (error) {
    if (error instanceof FeedFetchError) return fail(name, error.message, fetchFix(error));
    if (error instanceof FeedParseError) {
      return fail(
        name,
        `${displayUrl(feed.url)}: ${error.message}`,
        'the URL does not serve RSS or Atom: point PSF_FEEDS at the feed itself',
      );
    }
    return fail(name, `${displayUrl(feed.url)}: ${describeError(error)}`, 'check the URL in PSF_FEEDS');
  }
}
