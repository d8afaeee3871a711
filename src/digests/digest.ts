import type { DeliveryLedger } from '../delivery/ledger.js';
import { postKey } from '../posts/identity.js';
import type { Post } from '../posts/post.js';
import type { PostStore } from '../store/post-store.js';
import { subscriptionMatches } from '../subscriptions/matching.js';
import type { Subscription } from '../subscriptions/subscription.js';
import type { AnnouncementLog } from './announcement-log.js';
import type { DigestMarks } from './digest-marks.js';
import { periodLengthMs, type DigestCadence } from './period.js';

/** A digest lists at most this many posts, then says how many more there were. */
export const DIGEST_MAX_POSTS = 10;

/** One digest message, platform-neutral: adapters render it. */
export interface Digest {
  cadence: DigestCadence;
  /** ISO time of the period's end (the boundary it is due at). */
  periodEnd: string;
  /** Newest first, at most `DIGEST_MAX_POSTS`. */
  posts: Post[];
  /** How many more matched than are listed. */
  more: number;
}

/** What building a digest reads. */
export interface DigestSources {
  announcements: AnnouncementLog;
  marks: DigestMarks;
  posts: PostStore;
  ledger: DeliveryLedger;
}

/**
 * The digest of one channel for the period ending at `periodEnd`: the posts announced since the channel's
 * last digest (one period back when it never had one) up to `periodEnd` that match its feeds and tags,
 * minus any the channel already received on its own (it was per-post before it switched). Null when
 * nothing matches: an empty period sends nothing at all.
 */
export async function buildDigest(
  sources: DigestSources,
  subscription: Subscription,
  cadence: DigestCadence,
  periodEnd: Date,
): Promise<Digest | null> {
  return digestOf(cadence, periodEnd, await digestPosts(sources, subscription, cadence, periodEnd));
}

/** The posts `buildDigest` lists, oldest first (all of them, also those past `DIGEST_MAX_POSTS`). */
export async function digestPosts(
  sources: DigestSources,
  subscription: Subscription,
  cadence: DigestCadence,
  periodEnd: Date,
): Promise<Post[]> {
  const since = await digestSince(sources, subscription, cadence, periodEnd);
  const logged = await sources.announcements.between(since, periodEnd);
  const matching: Post[] = [];
  for (const entry of logged) {
    const post = await sources.posts.get(entry.feed, entry.id);
    if (!post || !subscriptionMatches(subscription, post, entry.announcedAt)) continue;
    if (await sources.ledger.get(postKey(post.feed, post.id), subscription)) continue;
    matching.push(post);
  }
  return matching;
}

/** Where a channel's digest ending at `periodEnd` starts: its last digest's end, else one period back. */
export async function digestSince(
  sources: Pick<DigestSources, 'marks'>,
  subscription: Subscription,
  cadence: DigestCadence,
  periodEnd: Date,
): Promise<Date> {
  return (
    (await sources.marks.lastEnd(subscription)) ?? new Date(periodEnd.getTime() - periodLengthMs(cadence))
  );
}

/** One digest message of `posts` (oldest first), or null when there are none. */
export function digestOf(cadence: DigestCadence, periodEnd: Date, posts: readonly Post[]): Digest | null {
  if (posts.length === 0) return null;
  const newest = [...posts].reverse();
  return {
    cadence,
    periodEnd: periodEnd.toISOString(),
    posts: newest.slice(0, DIGEST_MAX_POSTS),
    more: Math.max(0, newest.length - DIGEST_MAX_POSTS),
  };
}

/** `Daily digest` / `Weekly digest`. */
export function digestTitle(digest: Pick<Digest, 'cadence'>): string {
  return digest.cadence === 'daily' ? 'PSF news: daily digest' : 'PSF news: weekly digest';
}

/** `3 new posts up to 1 Dec 2026, 15:00 UTC`. */
export function digestSummaryLine(digest: Digest): string {
  const total = digest.posts.length + digest.more;
  const end = new Date(digest.periodEnd);
  const day = end.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const time = end.toISOString().slice(11, 16);
  return `${total} new post${total === 1 ? '' : 's'} up to ${day}, ${time} UTC`;
}

/** `and 4 more`, or null when every post is listed. */
export function digestMoreLine(digest: Digest): string | null {
  return digest.more > 0 ? `and ${digest.more} more` : null;
}
