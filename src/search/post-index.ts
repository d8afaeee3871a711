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
  /** Publication time per key, parsed once: search boosts every match by it. */
  private readonly published = new Map<string, number>();
  private readonly search_ = new MiniSearch<PostDocument>({
    idField: 'key',
    fields: ['title', 'tags', 'summary'],
    processTerm,
    // Prefix matching of one- and two-letter words would match most of a large archive for no gain.
    searchOptions: {
      boost: BOOST,
      // One typo per word (two would match half a large archive for a long word); none under four letters.
      fuzzy: (term: string) => (term.length >= 4 ? 1 : false),
      // Prefix matching for the last word only (the one a user may not have finished), from three letters:
      // expanding every word of a query over a large archive multiplied the work for little gain.
      prefix: (term: string, i: number, terms: string[]) => i === terms.length - 1 && term.length >= 3,
      combineWith: 'OR',
    },
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
      this.published.set(key, publishedScore(post));
      const document = toDocument(key, post);
      if (previous) this.search_.replace(document);
      else this.search_.add(document);
      this.tagSuggester.replace(previous ?? null, post);
    }
  }

  /** Replaces the whole content (after a backfill, or a reconnection that may have missed changes). */
  rebuild(posts: Post[]): void {
    this.posts.clear();
    this.published.clear();
    this.search_.removeAll();
    this.tagSuggester = new TagSuggester();
    this.upsert(posts);
  }

  /** How many posts the index holds. */
  /** The post with exactly this URL or id, or null (linear over the posts held, for one command at a time). */
  lookup(text: string): Post | null {
    const wanted = text.trim();
    for (const post of this.posts.values()) if (post.url === wanted || post.id === wanted) return post;
    return null;
  }

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
    // MiniSearch returns matches best first. The recency boost multiplies a score by at most
    // MAX_RECENCY_BOOST, so once a match could not reach the current top even fully boosted, none after it
    // can: a broad query over a large archive matches thousands of posts, and only the head is looked at.
    const top: Hit[] = [];
    for (const result of this.search_.search(query)) {
      if (top.length === limit && result.score * MAX_RECENCY_BOOST < top[limit - 1]!.score) break;
      const post = this.posts.get(result.id as string);
      const boost = recencyBoost(this.published.get(result.id as string) ?? -Infinity, newest);
      if (post) keepBest(top, { score: result.score * boost, post }, limit);
    }
    return top.map((hit) => hit.post);
  }

  /** The newest publication time indexed: recency is measured from it, so answers do not drift with the clock. */
  private newestScore(): number {
    if (this.newest === null) {
      let newest = -Infinity;
      for (const published of this.published.values()) newest = Math.max(newest, published);
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
const MAX_RECENCY_BOOST = 1 + RECENCY_BOOST;

function recencyBoost(published: number, newest: number): number {
  if (!Number.isFinite(published) || !Number.isFinite(newest)) return 1;
  return 1 + RECENCY_BOOST * Math.exp(-Math.max(0, newest - published) / RECENCY_SCALE_MS);
}

function toDocument(key: string, post: Post): PostDocument {
  return { key, title: post.title, tags: post.tags.join(' '), summary: post.summary };
}

interface Hit {
  score: number;
  post: Post;
}

/** Better first: higher score, then the newer post. */
function better(a: Hit, b: Hit): boolean {
  return a.score !== b.score ? a.score > b.score : compareNewestFirst(a.post, b.post) < 0;
}

/** Inserts `hit` into `top` (best first) when it ranks among the best `limit`. */
function keepBest(top: Hit[], hit: Hit, limit: number): void {
  if (top.length === limit && !better(hit, top[top.length - 1]!)) return;
  let i = top.length;
  while (i > 0 && better(hit, top[i - 1]!)) i -= 1;
  top.splice(i, 0, hit);
  if (top.length > limit) top.pop();
}
