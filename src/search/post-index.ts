import MiniSearch from 'minisearch';
import { postKey } from '../posts/identity.js';
import type { Post } from '../posts/post.js';
import { compareNewestFirst, publishedScore } from '../store/post-order.js';
import { TagSuggester } from './tag-suggester.js';
import { processTerm } from './terms.js';

interface PostDocument {
  key: string;
  title: string;
  tags: string;
  summary: string;
}

/** Title words weigh most, then labels, then the summary. */
const BOOST = { title: 3, tags: 2, summary: 1 };
const DEFAULT_LIMIT = 5;

/**
 * The in-process full-text index over posts (MiniSearch): ranked, typo-tolerant search and tag
 * suggestions. Built once from the store at start, then kept current with `upsert` after each poll.
 */
export class PostIndex {
  private readonly posts = new Map<string, Post>();
  private readonly search_ = new MiniSearch<PostDocument>({
    idField: 'key',
    fields: ['title', 'tags', 'summary'],
    processTerm,
    searchOptions: { boost: BOOST, fuzzy: 0.2, prefix: true, combineWith: 'OR' },
  });
  private tagSuggester = new TagSuggester();
  private newest: number | null = null;

  private constructor() {}

  /** An index holding these posts. */
  static build(posts: Post[]): PostIndex {
    const index = new PostIndex();
    index.upsert(posts);
    return index;
  }

  /** Adds new posts and replaces known ones (keyed by feed and id); cheap enough to call after every poll. */
  upsert(posts: Post[]): void {
    if (posts.length === 0) return;
    this.newest = null;
    for (const post of posts) {
      const key = postKey(post.feed, post.id);
      const previous = this.posts.get(key);
      this.posts.set(key, post);
      const document = toDocument(key, post);
      if (previous) this.search_.replace(document);
      else this.search_.add(document);
      this.tagSuggester.replace(previous ?? null, post);
    }
  }

  /** Replaces the whole content (after a backfill, or a reconnection that may have missed changes). */
  rebuild(posts: Post[]): void {
    this.posts.clear();
    this.search_.removeAll();
    this.tagSuggester = new TagSuggester();
    this.upsert(posts);
  }

  /** How many posts the index holds. */
  get size(): number {
    return this.posts.size;
  }

  /**
   * Up to `limit` posts by relevance: matches on more of the query's words rank first (MiniSearch
   * multiplies by the number of matched terms), so one mistyped word does not sink the answer.
   */
  search(query: string, limit = DEFAULT_LIMIT): Post[] {
    if (limit <= 0 || query.trim() === '') return [];
    const newest = this.newestScore();
    const results = this.search_.search(query, {
      boostDocument: (key: string) => recencyBoost(this.posts.get(key), newest),
    });
    const ranked = results
      .map((result) => ({ score: result.score, post: this.posts.get(result.id as string) }))
      .filter((hit): hit is { score: number; post: Post } => hit.post !== undefined)
      .sort((a, b) => b.score - a.score || compareNewestFirst(a.post, b.post));
    return ranked.slice(0, limit).map((hit) => hit.post);
  }

  /** The newest publication time indexed: recency is measured from it, so answers do not drift with the clock. */
  private newestScore(): number {
    if (this.newest === null) {
      let newest = -Infinity;
      for (const post of this.posts.values()) newest = Math.max(newest, publishedScore(post));
      this.newest = newest;
    }
    return this.newest;
  }

  /** The most used spelling of a tag in use, or null. */
  labelOf(tag: string): string | null {
    return this.tagSuggester.labelOf(tag);
  }

  /** Tags in use (their most used spelling) that match what was typed: prefix, then word, then typo. */
  suggestTags(text: string, limit: number): string[] {
    return this.tagSuggester.suggest(text, limit);
  }
}

/** Half a boost for the newest post, fading over a few years: among equally good matches, the fresher wins. */
const RECENCY_BOOST = 0.5;
const RECENCY_SCALE_MS = 3 * 365 * 86_400_000;

function recencyBoost(post: Post | undefined, newest: number): number {
  const published = post ? publishedScore(post) : -Infinity;
  if (!Number.isFinite(published) || !Number.isFinite(newest)) return 1;
  return 1 + RECENCY_BOOST * Math.exp(-Math.max(0, newest - published) / RECENCY_SCALE_MS);
}

function toDocument(key: string, post: Post): PostDocument {
  return { key, title: post.title, tags: post.tags.join(' '), summary: post.summary };
}
