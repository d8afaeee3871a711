import type { Post } from '../posts/post.js';
import { normaliseTag } from '../posts/tags.js';
import type { Subscription } from './subscription.js';

/** Why a post does not go to a subscription, or that it does; `/psf why` reads these back. */
export type MatchDecision =
  | { kind: 'match' }
  | { kind: 'disabled'; reason: string }
  | { kind: 'feed'; feed: string }
  | { kind: 'before_subscription'; createdAt: string }
  | { kind: 'excluded_tag'; tag: string }
  | { kind: 'no_included_tag'; tags: string[] };

/**
 * Whether a post announced at `announcedAt` goes to this subscription, and if not why: enabled, the post's
 * feed among its feeds (none = all), created no later than the announcement (a subscription receives what
 * is announced after it exists, never the backlog), none of its excluded tags on the post, and any of its
 * included tags on the post (none = all). Tags compare through `normaliseTag`.
 */
export function matchDecision(subscription: Subscription, post: Post, announcedAt: Date): MatchDecision {
  if (subscription.disabledReason !== null) return { kind: 'disabled', reason: subscription.disabledReason };
  if (subscription.feeds.length > 0 && !subscription.feeds.includes(post.feed))
    return { kind: 'feed', feed: post.feed };
  const created = Date.parse(subscription.createdAt);
  if (!Number.isFinite(created) || created > announcedAt.getTime())
    return { kind: 'before_subscription', createdAt: subscription.createdAt };
  const carried = new Set(post.tags.map(normaliseTag));
  const excluded = (subscription.excludedTags ?? []).find((tag) => carried.has(normaliseTag(tag)));
  if (excluded !== undefined) return { kind: 'excluded_tag', tag: excluded };
  if (subscription.tags.length === 0) return { kind: 'match' };
  if (subscription.tags.some((tag) => carried.has(normaliseTag(tag)))) return { kind: 'match' };
  return { kind: 'no_included_tag', tags: subscription.tags };
}

/** Whether a post announced at `announcedAt` goes to this subscription (see `matchDecision`). */
export function subscriptionMatches(subscription: Subscription, post: Post, announcedAt: Date): boolean {
  return matchDecision(subscription, post, announcedAt).kind === 'match';
}

/** Whether the post passes the subscription's feed and tag filters, whenever it was announced (`/psf test`). */
export function postFitsFilters(subscription: Subscription, post: Post): boolean {
  const enabled = { ...subscription, disabledReason: null, createdAt: new Date(0).toISOString() };
  return matchDecision(enabled, post, new Date()).kind === 'match';
}
