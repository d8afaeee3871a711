import { createRequire } from 'node:module';
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

/** rss-parser's own `getContent` (xhtml content rebuilt as markup), used for the fields we take past it. */
const { getContent } = createRequire(import.meta.url)('rss-parser/lib/utils.js') as {
  getContent: (value: unknown) => unknown;
};

/**
 * The HTML-bearing fields of an entry (Atom) or item (RSS). rss-parser computes a `contentSnippet` from each
 * with a lazy regular expression that takes quadratic time on unclosed `<` (a 1 MB description did not finish
 * in 120 s, issue 12). We never read the snippet, so these fields are taken out before rss-parser maps the
 * item and put back as it would have put them, untouched by any regex.
 */
const HTML_FIELDS = { atom: ['content'], rss: ['description', 'content:encoded'] } as const;

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
  // The body is the server's text: it is never echoed (it may hold a link, a token or anything else).
  if (!/^\s*(?:\ufeff)?\s*</.test(xml)) throw new FeedParseError(feedName, 'the feed is not XML');
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
    // One item that breaks our own text code is skipped like one rss-parser could not read: never the feed.
    let result: ReturnType<typeof normaliseItem>;
    try {
      result = normaliseItem(item, feedName, absolute(baseUrl));
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      skipped.push({ index, title: null, reason: `unreadable item: ${why.slice(0, 200)}` });
      continue;
    }
    if ('post' in result) posts.push(result.post);
    else skipped.push({ index, title: result.title, reason: result.skipped });
  }
  return {
    title: feedTitle(raw.title),
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
  parser.parseItemAtom = guard((entry: unknown) => withHtmlAside(entry, HTML_FIELDS.atom, atom));
  parser.parseItemRss = guard((item: unknown, fields: unknown) =>
    withHtmlAside(item, HTML_FIELDS.rss, (rest) => rss(rest, fields)),
  );
}

/** Maps `xml` without its HTML fields, then sets `content` (and `content:encoded`) as rss-parser would. */
function withHtmlAside(xml: unknown, names: readonly string[], parse: (rest: unknown) => unknown): unknown {
  if (typeof xml !== 'object' || xml === null) return parse(xml);
  const rest: Record<string, unknown> = { ...(xml as Record<string, unknown>) };
  const aside: Record<string, unknown> = {};
  for (const name of names) {
    aside[name] = rest[name];
    delete rest[name];
  }
  const item = parse(rest) as Record<string, unknown>;
  const first = (name: string): unknown => {
    const value = aside[name];
    return Array.isArray(value) && value.length > 0 ? value[0] : undefined;
  };
  const content = first('content') ?? first('description');
  if (content !== undefined) item.content = getContent(content);
  const encoded = first('content:encoded');
  if (encoded !== undefined) item['content:encoded'] = getContent(encoded);
  return item;
}

function feedTitle(value: unknown): string | null {
  const title = text(value);
  return title === null ? null : title.slice(0, 4096);
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

/**
 * Plain words: the XML parser's own message quotes the body, so only its line number is kept; sax counts
 * lines from 0, people (and editors) from 1.
 */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/not recognized as RSS/i.test(message)) return 'the feed is not an RSS or Atom feed';
  const line = /\bLine:\s*(\d{1,9})/.exec(message)?.[1];
  return `the feed is not XML${line ? ` (broken at line ${Number(line) + 1})` : ''}`;
}
