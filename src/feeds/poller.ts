import type { FeedConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { DecisionLog, SeededReason } from '../delivery/decisions.js';
import { postKey } from '../posts/identity.js';
import type { Post } from '../posts/post.js';
import type { PostStore } from '../store/post-store.js';
import type { AnnouncementSink } from './announcement-sink.js';
import { DEFAULT_BACKOFF, failed, isBackingOff, isFresh, succeeded, type BackoffPolicy } from './backoff.js';
import { chatReason, FeedFetchError, FeedParseError } from './errors.js';
import { displayUrl } from '../redaction.js';
import type { FeedMemory } from './feed-memory.js';
import type { FeedState, FeedStateStore } from './feed-state.js';
import { fetchFeed } from './fetch.js';
import type { FetchOptions } from './fetch-types.js';
import { parseFeed } from './parse.js';
import { storePosts } from './store-posts.js';

/** What a poll needs; every part is a port, so tests pass memory or Redis implementations. */
export interface PollDeps {
  posts: PostStore;
  memory: FeedMemory;
  states: FeedStateStore;
  sink: AnnouncementSink;
  fetchOptions: FetchOptions;
  /** Never announce a post published longer ago than this (`MAX_AGE`). */
  maxAgeMs: number;
  now: () => Date;
  logger: Logger;
  backoff?: BackoffPolicy;
  /** Where the reason each post was remembered without announcing is kept, for `/psf why`. */
  decisions?: DecisionLog;
}

/** Options of one poll. */
export interface PollOptions {
  /** Poll even while the feed is backing off (`poll --once`). */
  force?: boolean;
}

/** docs/cli.md's `poll --once --json` line for one feed. */
export interface PollResult {
  feed: string;
  status: 200 | 304 | 'error';
  /** Ids queued for announcement, oldest first. */
  new: string[];
  /** Posts remembered without announcing: first sight, older than the age limit, or known under another id. */
  seeded: number;
  error?: string;
  /**
   * Present (true) when the poll was not attempted: the feed is backing off (status `error`), or the host's last
   * answer is still fresh by its `Cache-Control: max-age` (status 304: nothing fetched, nothing changed).
   */
  skipped?: boolean;
}

/**
 * Polls one feed (DESIGN §4): fetch, store every post, queue the unseen ones oldest first, remember them.
 * Never throws: failures come back as `status: 'error'`, and the feed state is written whatever happened.
 */
export async function pollFeed(
  feed: FeedConfig,
  deps: PollDeps,
  options: PollOptions = {},
): Promise<PollResult> {
  const now = deps.now();
  let state: FeedState;
  try {
    state = await deps.states.get(feed.name);
  } catch (error) {
    return errorResult(feed.name, failureMessage(feed.name, error, 'cannot read feed state'));
  }
  if (!options.force && isBackingOff(state, now)) {
    const error = `feed ${feed.name}: backing off after ${state.consecutiveFailures} failures until ${state.nextAttemptAt} (last error: ${state.lastError ?? 'unknown'})`;
    return { ...errorResult(feed.name, error), skipped: true };
  }
  if (!options.force && isFresh(state, now)) {
    return { feed: feed.name, status: 304, new: [], seeded: 0, skipped: true };
  }
  const { result, next } = await attempt(feed, state, deps, now);
  try {
    await deps.states.save(next);
  } catch (error) {
    const message = failureMessage(feed.name, error, 'cannot save feed state');
    deps.logger.error({ feed: feed.name, err: error }, message);
    return { ...result, error: result.error ? `${result.error}; ${message}` : message };
  }
  return result;
}

async function attempt(
  feed: FeedConfig,
  state: FeedState,
  deps: PollDeps,
  now: Date,
): Promise<{ result: PollResult; next: FeedState }> {
  let httpStatus: number | null = null;
  try {
    const fetched = await fetchFollowingMove(
      feed,
      { etag: state.etag, lastModified: state.lastModified },
      deps,
    );
    httpStatus = fetched.status;
    if (fetched.redirected)
      deps.logger.info({ feed: feed.name, url: displayUrl(fetched.url) }, 'feed redirected');
    const counts =
      fetched.status === 304 ? { new: [], seeded: 0 } : await ingest(feed.name, fetched.body, deps, now);
    return {
      result: { feed: feed.name, status: fetched.status, ...counts },
      next: succeeded(state, fetched, now),
    };
  } catch (error) {
    // The caller reports the failure, once, with when it will be retried (the result carries the message).
    const message = failureMessage(feed.name, error);
    return {
      result: errorResult(feed.name, message),
      // The state's last error is what `status` shows to anyone in a channel: plain words, no URL, no body.
      next: failed(state, error, chatReason(error), now, deps.backoff ?? DEFAULT_BACKOFF, httpStatus),
    };
  }
}

/**
 * Fetches the feed's URL; when a catalogue feed's old URL is gone (404, 410) fetches the URL its site moved
 * to instead. The posts there carry new ids, and `ingest` recognises the known ones by fingerprint.
 */
async function fetchFollowingMove(
  feed: FeedConfig,
  validators: { etag: string | null; lastModified: string | null },
  deps: PollDeps,
): ReturnType<typeof fetchFeed> {
  try {
    return await fetchFeed(feed.url, validators, deps.fetchOptions);
  } catch (error) {
    const gone = error instanceof FeedFetchError && (error.status === 404 || error.status === 410);
    if (!gone || !feed.movedTo) throw error;
    deps.logger.info(
      { feed: feed.name, from: displayUrl(feed.url), to: displayUrl(feed.movedTo) },
      'feed moved: following it',
    );
    return fetchFeed(feed.movedTo, validators, deps.fetchOptions);
  }
}

/**
 * Stores a fetched body and queues what is news. Queue first, remember second: the sink's deterministic job
 * ids make a repeat harmless, while remembering first would lose a post if the process died in between.
 */
async function ingest(
  feed: string,
  body: string,
  deps: PollDeps,
  now: Date,
): Promise<{ new: string[]; seeded: number }> {
  const parsed = await parseFeed(body, feed);
  for (const skipped of parsed.skipped) deps.logger.warn({ feed, ...skipped }, 'feed item skipped');
  const { posts, knownAs, changed } = await storePosts(feed, parsed.posts, deps.posts, deps.memory, {
    detectChanges: true,
  });
  // Saved first, queued second: an edit renders the stored post, which is then at least this version.
  if (changed.length > 0 && deps.sink.enqueueEdits) await deps.sink.enqueueEdits(changed);
  if (!(await deps.memory.isKnown(feed))) {
    await deps.memory.firstSeen(posts, now);
    await deps.memory.remember(feed, posts);
    await deps.memory.markKnown(feed);
    await recordSeeded(
      deps,
      posts.map((post) => ({ post, reason: { kind: 'first_sight' } })),
    );
    return { new: [], seeded: posts.length };
  }
  const unseenIds = new Set(
    await deps.memory.unseen(
      feed,
      posts.map((post) => post.id),
    ),
  );
  const unseen = posts.filter((post) => unseenIds.has(post.id));
  const oldest = now.getTime() - deps.maxAgeMs;
  // An undated post is as old as its fingerprint's first sighting.
  const firstSeen = await deps.memory.firstSeen(unseen, now);
  const seenAt = new Map(unseen.map((post, i) => [post.id, firstSeen[i] ?? null]));
  const fresh = posts.filter(
    (post, i) =>
      unseenIds.has(post.id) &&
      knownAs[i] === null &&
      !publishedBefore(post, oldest) &&
      (seenAt.get(post.id)?.getTime() ?? Infinity) >= oldest,
  );
  const claimed = await deps.memory.claim(feed, fresh);
  const queued = oldestFirst(
    fresh.filter((_, i) => claimed[i]),
    posts,
  );
  if (queued.length > 0) await deps.sink.enqueue(queued);
  const queuedIds = new Set(queued.map((post) => post.id));
  await recordSeeded(
    deps,
    posts.flatMap((post, i): { post: Post; reason: SeededReason }[] => {
      if (!unseenIds.has(post.id) || queuedIds.has(post.id)) return [];
      const known = knownAs[i];
      if (known) return [{ post, reason: { kind: 'moved', knownAs: { feed: known.feed, id: known.id } } }];
      if (publishedBefore(post, oldest))
        return [{ post, reason: { kind: 'too_old', publishedAt: post.publishedAt ?? '' } }];
      return [];
    }),
  );
  if (unseen.length > 0) await deps.memory.remember(feed, unseen);
  return { new: queued.map((post) => post.id), seeded: unseen.length - queued.length };
}

/** Best effort: a lost reason only makes `/psf why` less precise, so it never fails the poll. */
async function recordSeeded(deps: PollDeps, entries: { post: Post; reason: SeededReason }[]): Promise<void> {
  if (!deps.decisions || entries.length === 0) return;
  const log = deps.decisions;
  try {
    await Promise.all(
      entries.map(({ post, reason }) => log.recordSeeded(postKey(post.feed, post.id), reason)),
    );
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not record why posts were not announced');
  }
}

function publishedBefore(post: Post, limitMs: number): boolean {
  const ms = post.publishedAt === null ? Number.NaN : Date.parse(post.publishedAt);
  return Number.isFinite(ms) && ms < limitMs;
}

/** Oldest first by publication time; undated posts last; ties keep reverse feed order (feeds list newest first). */
function oldestFirst(posts: Post[], feedOrder: Post[]): Post[] {
  const position = new Map(feedOrder.map((post, i) => [post.id, i]));
  const time = (post: Post) => (post.publishedAt === null ? Infinity : Date.parse(post.publishedAt));
  return [...posts].sort(
    (a, b) => time(a) - time(b) || (position.get(b.id) ?? 0) - (position.get(a.id) ?? 0),
  );
}

function errorResult(feed: string, error: string): PollResult {
  return { feed, status: 'error', new: [], seeded: 0, error };
}

/** One plain line: `feed psf: HTTP 503 from https://…`. */
export function failureMessage(feed: string, error: unknown, context?: string): string {
  if (error instanceof FeedParseError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `feed ${feed}: ${context ? `${context}: ` : ''}${message}`;
}
