import type { Post } from './post.js';

const DAY_MS = 86_400_000;

/**
 * The matching form of a title: case, accents' width forms, punctuation, quotes and emoji ignored, so the same
 * title survives a move between blog engines ("PSF&#39;s" vs "PSF’s", a trailing "🎉").
 */
export function normaliseTitle(title: string): string {
  return title
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['’‘`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The UTC calendar day (`YYYY-MM-DD`) of a time, shifted by whole days. */
function utcDay(ms: number, shiftDays = 0): string {
  return new Date(ms + shiftDays * DAY_MS).toISOString().slice(0, 10);
}

function parts(post: Pick<Post, 'title' | 'publishedAt'>): { title: string; ms: number } | null {
  const title = normaliseTitle(post.title);
  const ms = post.publishedAt === null ? Number.NaN : Date.parse(post.publishedAt);
  return title === '' || !Number.isFinite(ms) ? null : { title, ms };
}

/** The path of a link, lower-cased, without query, fragment or trailing slash; '' when there is no link. */
function linkPath(url: string | null | undefined): string {
  if (!url) return '';
  try {
    return new URL(url).pathname.toLowerCase().replace(/\/+$/, '');
  } catch {
    return '';
  }
}

/**
 * An undated post's stable identity: normalised title and link path. A feed without dates whose guids change
 * on every fetch would otherwise look new on every poll. Null without a title.
 */
export function undatedFingerprint(post: Pick<Post, 'title' | 'publishedAt' | 'url'>): string | null {
  if (post.publishedAt !== null) return null;
  const title = normaliseTitle(post.title);
  return title === '' ? null : `undated\u0000${title}\u0000${linkPath(post.url)}`;
}

/**
 * The secondary identity of a post (DESIGN §3): normalised title and UTC publication day; for an undated
 * post, normalised title and link path (`undatedFingerprint`). Null without a title.
 */
export function fingerprint(
  post: Pick<Post, 'title' | 'publishedAt'> & { url?: string | null },
): string | null {
  if (post.publishedAt === null) return undatedFingerprint({ ...post, url: post.url ?? null });
  const p = parts(post);
  return p ? `${p.title}\u0000${utcDay(p.ms)}` : null;
}

/**
 * The fingerprints a post matches: its own day and the day either side. Blogger gives Pacific times
 * (23:00 -08:00 is the next UTC day), the new site a bare date at midnight UTC, so the days can differ by one.
 */
export function fingerprintCandidates(
  post: Pick<Post, 'title' | 'publishedAt'> & { url?: string | null },
): string[] {
  if (post.publishedAt === null) {
    const own = fingerprint(post);
    return own === null ? [] : [own];
  }
  const p = parts(post);
  if (!p) return [];
  return [0, -1, 1].map((shift) => `${p.title}\u0000${utcDay(p.ms, shift)}`);
}

/** True when two posts are the same post under different ids: same normalised title, days at most one apart. */
export function sameFingerprint(
  a: Pick<Post, 'title' | 'publishedAt'>,
  b: Pick<Post, 'title' | 'publishedAt'>,
): boolean {
  const own = fingerprint(b);
  return own !== null && fingerprintCandidates(a).includes(own);
}
