import type { Post } from '../posts/post.js';
import { contentVersion } from '../posts/version.js';
import type { PostStore } from '../store/post-store.js';
import type { FeedMemory, PostRef } from './feed-memory.js';

/** Posts of one fetch, with what the fingerprints say about each. */
export interface StoredBatch {
  posts: Post[];
  /** Index-aligned with `posts`: the post already known under another id, if any. */
  knownAs: (PostRef | null)[];
  /** Posts stored before under the same id whose shown content (`contentVersion`) changed, with the new version. */
  changed: { post: Post; version: string }[];
}

/** Keeps the first of each id: a feed that repeats an item must not announce it twice. */
export function distinctById(posts: Post[]): Post[] {
  const seen = new Set<string>();
  return posts.filter((post) => !seen.has(post.id) && seen.add(post.id));
}

/**
 * Saves a fetched batch to the post store, except posts the same feed already holds under another id (the
 * Blogger → static-site move gives every post a new id and URL): storing both would list each post twice.
 */
export async function storePosts(
  feed: string,
  fetched: Post[],
  store: PostStore,
  memory: FeedMemory,
  options: { detectChanges?: boolean } = {},
): Promise<StoredBatch> {
  const posts = distinctById(fetched);
  const owners = await memory.fingerprintOwners(posts);
  const knownAs = posts.map((post, i) => {
    const owner = owners[i] ?? null;
    return owner && !(owner.feed === feed && owner.id === post.id) ? owner : null;
  });
  const keep = posts.filter((_, i) => knownAs[i]?.feed !== feed);
  // Only a poll edits announcements; a backfill skips reading what it is about to replace.
  const before = options.detectChanges ? await Promise.all(keep.map((post) => store.get(feed, post.id))) : [];
  if (keep.length > 0) await store.save(keep);
  const changed = keep
    .map((post, i) => ({ post, version: contentVersion(post), old: before[i] }))
    .filter(({ old, version }) => old !== null && old !== undefined && contentVersion(old) !== version)
    .map(({ post, version }) => ({ post, version }));
  return { posts, knownAs, changed };
}
