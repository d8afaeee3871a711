import MiniSearch, { type SearchOptions } from 'minisearch';
import { postKey } from '../posts/identity.js';
import type { Post } from '../posts/post.js';
import { compareNewestFirst, publishedScore } from '../store/post-order.js';
import { parseSearchQuery, termsOf, type SearchQuery } from './query.js';
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
  /** The index terms of each title, in order: a match on every word of the title is a good match. */
  private readonly titleTerms = new Map<string, string[]>();
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
      this.titleTerms.set(key, termsOf(post.title));
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
    this.titleTerms.clear();
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
   * Up to `limit` posts, best first, as a reader would rank them: a post titled exactly as the query first;
   * then the good matches, posts whose title has every word of the query, newest first; then the rest by
   * relevance (MiniSearch multiplies by the number of matched terms, so one mistyped word does not sink the
   * answer) with a little boost for recency. `sort:new` ranks every match newest first; a year (`pycon 2019`)
   * keeps the posts published that year or naming it in their title.
   */
  search(query: string, limit = DEFAULT_LIMIT): Post[] {
    if (limit <= 0 || query.trim() === '') return [];
    const parsed = parseSearchQuery(query);
    if (parsed.newestFirst || parsed.text === '') return this.newestMatches(parsed, limit);
    const exact: Hit[] = [];
    const good: Hit[] = [];
    const inYear = (key: string) => parsed.year === null || this.fromYear(key, parsed.year);
    // Good matches come from a title-only search needing every word: few, even over a large archive.
    for (const result of this.search_.search(parsed.text, TITLE_HAS_EVERY_WORD)) {
      const key = result.id as string;
      const post = this.posts.get(key);
      if (!post || !inYear(key)) continue;
      const hit = { score: this.published.get(key) ?? -Infinity, post };
      keepBest(sameTerms(this.titleTerms.get(key) ?? [], parsed.terms) ? exact : good, hit, limit);
    }
    const taken = new Set([...exact, ...good].map((hit) => postKey(hit.post.feed, hit.post.id)));
    const rest = this.byRelevance(parsed.text, limit - Math.min(limit, taken.size), (key) =>
      taken.has(key) ? false : inYear(key),
    );
    return [...exact, ...good, ...rest].slice(0, limit).map((hit) => hit.post);
  }

  /**
   * The best `limit` matches by relevance with a little boost for recency. MiniSearch returns matches best
   * first and the boost multiplies a score by at most MAX_RECENCY_BOOST, so once a match could not reach the
   * current last even fully boosted, none after it can: a broad query over a large archive matches thousands
   * of posts, and only the head is looked at.
   */
  private byRelevance(text: string, limit: number, wanted: (key: string) => boolean): Hit[] {
    const top: Hit[] = [];
    if (limit <= 0) return top;
    const newest = this.newestScore();
    for (const result of this.search_.search(text)) {
      if (top.length === limit && result.score * MAX_RECENCY_BOOST < top[limit - 1]!.score) break;
      const key = result.id as string;
      const post = this.posts.get(key);
      if (!post || !wanted(key)) continue;
      const boost = recencyBoost(this.published.get(key) ?? -Infinity, newest);
      keepBest(top, { score: result.score * boost, post }, limit);
    }
    return top;
  }

  /** `sort:new`, or only a year: every match (every post of the year), newest first. */
  private newestMatches(query: SearchQuery, limit: number): Post[] {
    if (query.text === '' && query.year === null) return [];
    const keys =
      query.text === ''
        ? this.posts.keys()
        : this.search_.search(query.text).map((result) => result.id as string);
    const top: Hit[] = [];
    for (const key of keys) {
      const post = this.posts.get(key);
      if (!post || (query.year !== null && !this.fromYear(key, query.year))) continue;
      keepBest(top, { score: this.published.get(key) ?? -Infinity, post }, limit);
    }
    return top.map((hit) => hit.post);
  }

  /** Published in `year` (UTC), or naming it in the title ("PyCon US 2019" is announced in 2018). */
  private fromYear(key: string, year: number): boolean {
    const published = this.published.get(key) ?? -Infinity;
    if (Number.isFinite(published) && new Date(published).getUTCFullYear() === year) return true;
    return this.titleTerms.get(key)?.includes(String(year)) ?? false;
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

/** A title-only search needing every word, with no typos: the last word may be unfinished, as in `search`. */
const TITLE_HAS_EVERY_WORD: SearchOptions = {
  fields: ['title'],
  combineWith: 'AND',
  fuzzy: false,
  prefix: (term: string, i: number, terms: string[]) => i === terms.length - 1 && term.length >= 3,
};

function recencyBoost(published: number, newest: number): number {
  if (!Number.isFinite(published) || !Number.isFinite(newest)) return 1;
  return 1 + RECENCY_BOOST * Math.exp(-Math.max(0, newest - published) / RECENCY_SCALE_MS);
}

/** The title is the query, word for word (stop words, case and accents aside). */
function sameTerms(title: string[], query: string[]): boolean {
  return query.length > 0 && title.length === query.length && title.every((term, i) => term === query[i]);
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
