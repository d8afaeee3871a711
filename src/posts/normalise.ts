import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Post } from './post.js';
import { capHtml, capText, firstImageSrc } from './linear-text.js';
import { FIELD_CAP, summarise, inlineText, SUMMARY_BUDGET, SUMMARY_HTML_CAP } from './summary.js';
import { normaliseTag } from './tags.js';

const isoTime = z.iso.datetime({ offset: true });
/** Labels kept per post, and characters per label: a real post has a handful of short ones. */
const MAX_TAGS = 64;
const TAG_CAP = 256;
const MAX_ID = 2048;
const MAX_URL = 8192;
const httpUrl = z.string().regex(/^https?:\/\/\S+$/);

/** A normalised post, checked once at the edge before anything stores or announces it. */
export const PostSchema = z.object({
  id: z.string().min(1),
  feed: z.string().min(1),
  title: z.string().min(1),
  url: httpUrl.nullable(),
  author: z.string().min(1).nullable(),
  publishedAt: isoTime.nullable(),
  updatedAt: isoTime.nullable(),
  tags: z.array(z.string().min(1)),
  summary: z.string().max(SUMMARY_BUDGET + 1),
  image: httpUrl.nullable(),
});

/** One feed item as rss-parser hands it over, with our custom fields; every field is untrusted. */
export type RawFeedItem = Record<string, unknown>;

/** The outcome for one item: a post, or why it was left out. */
export type NormalisedItem = { post: Post } | { skipped: string; title: string | null };

/** Turns one rss-parser item into a `Post` (DESIGN §3); `baseUrl` resolves relative links. */
export function normaliseItem(item: RawFeedItem, feed: string, baseUrl: string | null): NormalisedItem {
  const rawTitle = text(item.title);
  const title = rawTitle === null ? null : inlineText(rawTitle) || null;
  // Every field is capped before any text work, so a hostile feed costs time in proportion to what we keep.
  const body = capHtml(
    text(item['content:encoded']) ?? text(item.content) ?? text(item.summary) ?? '',
    SUMMARY_HTML_CAP,
  );
  const publishedAt = isoOrNull(item.isoDate) ?? isoOrNull(item.pubDate);
  const url = absoluteUrl(text(item.link), baseUrl) ?? permalinkGuid(item, baseUrl);
  const id = boundedId(text(item.guid) ?? text(item.id) ?? url) ?? hashIdentity(title, publishedAt);
  if (id === null) return { skipped: 'no guid, id, link or title to identify it', title };
  if (title === null) return { skipped: 'no title', title };
  const candidate = {
    id,
    feed,
    title,
    url,
    author: authorOf(item),
    publishedAt,
    updatedAt: isoOrNull(item.updated),
    tags: tagsOf(item.categories),
    summary: summarise(body),
    image: imageOf(item, body, baseUrl),
  };
  const parsed = PostSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { skipped: `invalid ${issue?.path.join('.') || 'item'}: ${issue?.message ?? 'unknown'}`, title };
  }
  return { post: parsed.data };
}

/** The text of an XML value as xml2js gives it: a string, `{ _: text }`, or a one-element array of those. */
export function text(value: unknown): string | null {
  if (Array.isArray(value)) return text(value[0]);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object' && value !== null && '_' in value) return text((value as { _: unknown })._);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function attribute(value: unknown, name: string): string | null {
  if (Array.isArray(value)) return attribute(value[0], name);
  if (typeof value !== 'object' || value === null || !('$' in value)) return null;
  const attrs = (value as { $: unknown }).$;
  return typeof attrs === 'object' && attrs !== null ? text((attrs as Record<string, unknown>)[name]) : null;
}

function isoOrNull(value: unknown): string | null {
  const raw = text(value)?.slice(0, 100) ?? null;
  if (raw === null) return null;
  const ms = Date.parse(raw);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function absoluteUrl(raw: string | null, baseUrl: string | null): string | null {
  // No platform takes a link this long (Discord 2,048, Slack 3,000): it is feed junk, not worth parsing.
  if (raw === null || raw.length > MAX_URL) return null;
  try {
    const url = baseUrl ? new URL(raw, baseUrl) : new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function permalinkGuid(item: RawFeedItem, baseUrl: string | null): string | null {
  const guid = text(item.guid);
  return guid && /^https?:\/\//i.test(guid) ? absoluteUrl(guid, baseUrl) : null;
}

/** An identity as written, or its hash when it is too long to be a real one (a key in Redis, a job id). */
function boundedId(id: string | null): string | null {
  if (id === null || id.length <= MAX_ID) return id;
  return `sha256:${createHash('sha256').update(id).digest('hex').slice(0, 32)}`;
}

/** Identity of last resort (DESIGN §3): a hash of title and date, stable across polls. */
function hashIdentity(title: string | null, publishedAt: string | null): string | null {
  if (title === null) return null;
  const digest = createHash('sha256')
    .update(`${title}\u0000${publishedAt ?? ''}`)
    .digest('hex');
  return `sha256:${digest.slice(0, 32)}`;
}

function authorOf(item: RawFeedItem): string | null {
  const name = text(item.creator) ?? text(item['dc:creator']) ?? text(item.author);
  // Blogger writes "Unknown" for profiles it cannot name; showing "by Unknown" tells a reader nothing.
  return name === null || name.toLowerCase() === 'unknown' ? null : inlineText(name) || null;
}

/** Labels as written, one per normalised form (first spelling wins): RSS strings, `{ _ }` or Atom `{ $: { term } }`. */
export function tagsOf(categories: unknown): string[] {
  const all = Array.isArray(categories) ? categories : categories === undefined ? [] : [categories];
  const list = all.slice(0, MAX_TAGS);
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const category of list) {
    const raw = text(category) ?? attribute(category, 'term') ?? attribute(category, 'label');
    const label = raw === null ? null : capText(raw, TAG_CAP).replace(/\s+/g, ' ').trim();
    if (!label) continue;
    const key = normaliseTag(label);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    tags.push(label);
  }
  return tags;
}

function imageOf(item: RawFeedItem, body: string, baseUrl: string | null): string | null {
  const thumbnail = absoluteUrl(attribute(item.mediaThumbnail, 'url'), baseUrl);
  if (thumbnail) return largerBloggerImage(thumbnail);
  const media = item.mediaContent;
  const mediaType = attribute(media, 'type') ?? (attribute(media, 'medium') === 'image' ? 'image/' : '');
  const mediaUrl = mediaType.startsWith('image/') ? absoluteUrl(attribute(media, 'url'), baseUrl) : null;
  if (mediaUrl) return mediaUrl;
  const enclosure = item.enclosure as { url?: unknown; type?: unknown } | undefined;
  if (enclosure && typeof enclosure.type === 'string' && enclosure.type.startsWith('image/')) {
    const url = absoluteUrl(text(enclosure.url), baseUrl);
    if (url) return url;
  }
  const src = firstImageSrc(body);
  return absoluteUrl(src === null ? null : capText(src, FIELD_CAP).replace(/&amp;/g, '&'), baseUrl);
}

/**
 * Blogger's media:thumbnail is a 72-pixel square crop (`/s72-c/` or `=s72-c`); the same image URL with a size
 * of 640 is the picture itself, which is what an embed thumbnail wants.
 */
function largerBloggerImage(url: string): string {
  if (!/(?:googleusercontent\.com|bp\.blogspot\.com)\//.test(url)) return url;
  return url.replace(/\/s72-c\//, '/s640/').replace(/=s72-c$/, '=s640');
}
