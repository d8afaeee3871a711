import { catalogueFeed, FEED_CATALOGUE } from '../feeds/catalogue.js';
import { displayUrl, redactText } from '../redaction.js';

/** A named feed; `url` may be an http(s) URL or a local file path. */
export interface FeedConfig {
  name: string;
  url: string;
  /** The feed in words ("PSF blog"), for catalogue feeds. */
  title?: string;
  /** Where a catalogue feed's site is moving: polled when `url` answers 404 or 410. */
  movedTo?: string;
}

/** What PSF_FEEDS is when unset: the PSF blog. */
export const DEFAULT_FEEDS = 'psf=https://pyfound.blogspot.com/feeds/posts/default';
const FEED_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** Polling faster than this would hammer the PSF blog; only feeds on this machine may go faster (tests). */
export const MIN_POLL_INTERVAL_MS = 30_000;

/** A feed read from this machine: a file path, a file: URL or a loopback HTTP server. */
export function isLocalFeed(url: string): boolean {
  if (!/^[a-z][a-z0-9+.-]+:/i.test(url) || /^file:/i.test(url)) return true;
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** Why a feed's URL cannot be fetched, or null: http(s) with a host, a file: URL, or a path (no scheme). */
function feedUrlProblem(name: string, url: string): string | null {
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file') return null;
  if (scheme === 'http' || scheme === 'https') {
    try {
      if (new URL(url).hostname !== '') return null;
    } catch {
      // Falls through to the problem below.
    }
    return `feed "${name}": "${redactText(url)}" is not a valid URL`;
  }
  return `feed "${name}": "${displayUrl(url)}" must be an http:// or https:// URL, or a file path (not ${scheme}:)`;
}

/** A catalogue feed by bare name, or `name=url` (a catalogue name keeps its title, and its move for its own URLs). */
function feedEntry(name: string, url: string | null): FeedConfig | null {
  const known = catalogueFeed(name);
  if (url === null) {
    if (!known) return null;
    return {
      name,
      url: known.url,
      title: known.title,
      ...(known.movingTo ? { movedTo: known.movingTo.url } : {}),
    };
  }
  if (!known) return { name, url };
  // An old URL of the feed (Python Insider's Blogger feed) follows it to where it is now once it is gone.
  const movedTo = known.formerly?.includes(url)
    ? known.url
    : url === known.url
      ? known.movingTo?.url
      : undefined;
  return { name, url, title: known.title, ...(movedTo ? { movedTo } : {}) };
}

/** Parses `name=url,name=url`, where a bare catalogue name (`psf`, `insider`, `pypi`, `pycon`) stands alone. */
export function parseFeedList(text: string): { feeds: FeedConfig[]; problems: string[] } {
  const feeds: FeedConfig[] = [];
  const problems: string[] = [];
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf('=');
    const name = eq > 0 ? entry.slice(0, eq).trim() : eq < 0 ? entry : '';
    const url = eq > 0 ? entry.slice(eq + 1).trim() : null;
    const feed = FEED_NAME.test(name) && url !== '' ? feedEntry(name, url) : null;
    if (!feed) {
      problems.push(
        `"${redactText(entry)}" is not name=url (name: lowercase letters, digits, - or _) nor a known feed (${FEED_CATALOGUE.map((known) => known.name).join(', ')})`,
      );
    } else if (feeds.some((known) => known.name === name)) {
      problems.push(`feed "${name}" is named twice`);
    } else if (feedUrlProblem(name, feed.url)) {
      problems.push(feedUrlProblem(name, feed.url)!);
    } else {
      feeds.push(feed);
    }
  }
  if (feeds.length === 0 && problems.length === 0) problems.push('names no feed');
  return { feeds, problems };
}
