import { postKey } from '../posts/identity.js';
import type { Post } from '../posts/post.js';
import { normaliseTag } from '../posts/tags.js';
import type { TagCount } from './post-store.js';

/** The sort score of a post: its publication time in ms, or -Infinity so undated posts sort last. */
export function publishedScore(post: Post): number {
  const ms = post.publishedAt === null ? Number.NaN : Date.parse(post.publishedAt);
  return Number.isFinite(ms) ? ms : -Infinity;
}

/**
 * Newest first; equal times fall back to the post key, descending, which is the order Redis's
 * ZREVRANGE gives members of equal score, so every store answers in the same order.
 */
export function compareNewestFirst(a: Post, b: Post): number {
  const byTime = publishedScore(b) - publishedScore(a);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  const ka = postKey(a.feed, a.id);
  const kb = postKey(b.feed, b.id);
  return ka < kb ? 1 : ka > kb ? -1 : 0;
}

/** A post's tags as (normalised form → spelling used), one entry per distinct tag, first spelling wins. */
export function distinctTags(post: Post): Map<string, string> {
  const tags = new Map<string, string>();
  for (const label of post.tags) {
    const tag = normaliseTag(label);
    if (tag !== '' && !tags.has(tag)) tags.set(tag, label.trim());
  }
  return tags;
}

/** The label most posts use for a tag; ties go to the first in code-point order, so stores agree. */
export function mostUsedLabel(labels: Map<string, number>): string | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const [label, count] of labels) {
    if (count <= 0) continue;
    if (count > bestCount || (count === bestCount && best !== null && label < best)) {
      best = label;
      bestCount = count;
    }
  }
  return best;
}

/** Most used first, then alphabetical: the order every `PostStore.tags()` returns. */
export function byCountThenTag(a: TagCount, b: TagCount): number {
  return b.count - a.count || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0);
}
