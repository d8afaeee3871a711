import type { Post } from '../posts/post.js';
import { normaliseTag } from '../posts/tags.js';
import type { Subscription } from './subscription.js';

/**
 * Whether a post announced at `announcedAt` goes to this subscription: enabled, the post's feed among
 * its feeds (none = all), any of its tags on the post (none = all), and created no later than the
 * announcement (a subscription receives what is announced after it exists, never the backlog).
 */
export function subscriptionMatches(subscription: Subscription, post: Post, announcedAt: Date): boolean {
  if (subscription.disabledReason !== null) return false;
  if (subscription.feeds.length > 0 && !subscription.feeds.includes(post.feed)) return false;
  const created = Date.parse(subscription.createdAt);
  if (!Number.isFinite(created) || created > announcedAt.getTime()) return false;
  if (subscription.tags.length === 0) return true;
  const wanted = new Set(subscription.tags.map(normaliseTag));
  return post.tags.some((tag) => wanted.has(normaliseTag(tag)));
}
