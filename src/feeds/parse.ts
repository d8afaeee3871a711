import Parser from 'rss-parser';
import { normaliseItem, text, type RawFeedItem } from '../posts/normalise.js';
import type { Post } from '../posts/post.js';
import { FeedParseError } from './errors.js';

/** An item left out of a parsed feed, and why (no usable identity, unreadable entry, invalid field). */
export interface SkippedItem {
  /** Position in the feed, from 0. */
  index: number;
  title: string | null;
  reason: string;
}

/** A parsed feed page: posts in feed order, plus the paging facts Blogger publishes. */
export interface ParsedFeed {
  title: string | null;
  posts: Post[];
  skipped: SkippedItem[];
  /** The feed's `rel="next"` link (Atom link or RSS atom:link), when present. */
  next: string | null;
  /** `openSearch:totalResults`, when present. */
  totalResults: number | null;
}

const BROKEN = Symbol('broken item');

// Atom categories, media thumbnails and links are not read by rss-parser itself (PLATFORM-NOTES §5.1).
const CUSTOM_FIELDS = {
  feed: [
    ['link', 'links', { keepArray: true }],
    ['atom:link', 'atomLinks', { keepArray: true }],
    'openSearch:totalResults',
  ],
  item: [
    ['category', 'categories', { keepArray: true }],
    ['media:thumbnail', 'mediaThumbnail'],
    ['media:content', 'mediaContent'],
    ['dc:creator', 'creator'],
    ['link', 'links', { keepArray: true }],
    'updated',
  ],
};

interface ItemHooks {
  parseItemAtom(entry: unknown): unknown;
  parseItemRss(item: unknown, fields: unknown): unknown;
}

/**
 * Parses an RSS or Atom body into posts. A fresh rss-parser per call: xml2js parsers are unsafe to reuse after
 * an error (PLATFORM-NOTES §5.2). One unreadable item is skipped, never the feed. Throws `FeedParseError`.
 */
export async function parseFeed(xml: string, feedName: string): Promise<ParsedFeed> {
  if (xml.trim() === '') throw new FeedParseError(feedName, 'empty body, not a feed');
  if (!/^\s*(?:\ufeff)?\s*</.test(xml))
    throw new FeedParseError(feedName, `not XML (starts with "${preview(xml)}")`);
  const parser = new Parser({ customFields: CUSTOM_FIELDS } as ConstructorParameters<typeof Parser>[0]);
  isolateItems(parser as unknown as ItemHooks);
  let raw: Record<string, unknown>;
  try {
    raw = (await parser.parseString(xml)) as unknown as Record<string, unknown>;
  } catch (error) {
    throw new FeedParseError(feedName, describeParseError(error));
  }
  const baseUrl = text(raw.link) ?? null;
  const posts: Post[] = [];
  const skipped: SkippedItem[] = [];
  const items = Array.isArray(raw.items) ? (raw.items as RawFeedItem[]) : [];
  for (const [index, item] of items.entries()) {
    if (BROKEN in item) {
      skipped.push({ index, title: null, reason: `unreadable item: ${String(item[BROKEN as never])}` });
      continue;
    }
    const result = normaliseItem(item, feedName, absolute(baseUrl));
    if ('post' in result) posts.push(result.post);
    else skipped.push({ index, title: result.title, reason: result.skipped });
  }
  return {
    title: text(raw.title),
    posts,
    skipped,
    next: nextLink(raw),
    totalResults: count(raw['openSearch:totalResults']),
  };
}

/** rss-parser maps every item inside one callback, so one throwing item would lose the feed; catch per item. */
function isolateItems(parser: ItemHooks): void {
  const atom = parser.parseItemAtom.bind(parser);
  const rss = parser.parseItemRss.bind(parser);
  const guard =
    <A extends unknown[]>(parse: (...args: A) => unknown) =>
    (...args: A) => {
      try {
        return parse(...args);
      } catch (error) {
        return { [BROKEN]: error instanceof Error ? error.message : String(error) };
      }
    };
  parser.parseItemAtom = guard(atom);
  parser.parseItemRss = guard(rss);
}

function nextLink(raw: Record<string, unknown>): string | null {
  for (const list of [raw.links, raw.atomLinks]) {
    if (!Array.isArray(list)) continue;
    for (const link of list as unknown[]) {
      const attrs = (link as { $?: Record<string, unknown> } | null)?.$;
      if (attrs && attrs.rel === 'next' && typeof attrs.href === 'string') return attrs.href;
    }
  }
  return null;
}

function count(value: unknown): number | null {
  const raw = text(value);
  const n = raw === null ? Number.NaN : Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : null;
}

function absolute(url: string | null): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/not recognized as RSS/i.test(message)) return 'not an RSS or Atom feed';
  return `not XML (${message.split('\n').join(' ').slice(0, 160)})`;
}

function preview(body: string): string {
  const line = body.trim().replace(/\s+/g, ' ').slice(0, 40);
  return line;
}
