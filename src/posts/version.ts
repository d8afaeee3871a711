import { createHash } from 'node:crypto';
import type { Post } from './post.js';

/**
 * What an announcement shows of a post, as a short hash: title, summary, tags and image. Dates, author and
 * the fetch itself are left out, so a post that is only re-dated or re-fetched keeps its version, and an
 * announcement is edited only when what it shows changed.
 */
export function contentVersion(post: Pick<Post, 'title' | 'summary' | 'tags' | 'image'>): string {
  const shown = JSON.stringify([post.title, post.summary, post.tags, post.image ?? null]);
  return createHash('sha256').update(shown).digest('base64url').slice(0, 16);
}
