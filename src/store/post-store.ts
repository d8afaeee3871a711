import type { Post } from '../posts/post.js';

/** A tag in use: its matching form, the spelling most posts use, and how many posts carry it. */
export interface TagCount {
  tag: string;
  label: string;
  count: number;
}

/** Posts and the tag index: what lookups answer from. */
export interface PostStore {
  /** Inserts or replaces posts (keyed by feed and id) and keeps the tag index and counts right. */
  save(posts: Post[]): Promise<void>;
  get(feed: string, id: string): Promise<Post | null>;
  /** Newest first by `publishedAt`, optionally one feed only. */
  latest(count: number, feed?: string): Promise<Post[]>;
  /** Newest first among posts carrying the tag, matched through `normaliseTag`. */
  byTag(tag: string, count: number): Promise<Post[]>;
  /** Tags in use, most used first. */
  tags(): Promise<TagCount[]>;
  count(feed?: string): Promise<number>;
  /** Every stored post (to build the in-process search index at start). */
  all(): Promise<Post[]>;
}
