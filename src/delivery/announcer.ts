import type { Platform, Post } from '../posts/post.js';
import type { SubscriptionOptions } from '../subscriptions/subscription.js';

/** Where one announcement goes. */
export interface DeliveryTarget {
  workspaceId: string;
  channelId: string;
  options: SubscriptionOptions;
}

/** About this attempt: a re-run may follow a send the platform accepted but the ledger never recorded. */
export interface AnnounceAttempt {
  /** The job ran before (failed, or its worker died): look for an earlier send where no nonce can. */
  rerun: boolean;
}

/** What the platform answered when it accepted a message. */
export interface Delivered {
  messageId: string;
  /** Discord: the thread holding the message (a forum post), where edits of it go. */
  threadId?: string;
}

/**
 * The outbound port: post one announcement to one channel. Implementations throw `DeliveryError`
 * for every failure they can classify; anything else is treated as transient.
 */
export interface Announcer {
  readonly platform: Platform;
  /** `nonce` is deterministic per (post, channel), at most 25 characters (Discord's limit). */
  announce(post: Post, target: DeliveryTarget, nonce: string, attempt?: AnnounceAttempt): Promise<Delivered>;
  /**
   * Rewrites an announcement already delivered (`delivered` as the ledger recorded it) to show the post as
   * it is now; never creates a message. Platforms without edits leave it out.
   */
  edit?(post: Post, target: DeliveryTarget, delivered: Delivered): Promise<void>;
}

/**
 * `permanent`: the channel is gone or closed to us (disable it); `rate_limited`: wait and retry; `transient`:
 * back off and retry; `rejected`: the platform refused this one message as malformed (e.g. a field over a
 * limit): retrying sends the same bytes, and the channel is fine, so only this delivery fails.
 * `unsendable`: this post cannot go to this channel (a forum requiring a tag none of the post's match, an
 * announcement deleted before its edit), while the channel itself is fine: skip the post, note it, no retry.
 */
export type DeliveryErrorKind = 'permanent' | 'rate_limited' | 'transient' | 'rejected' | 'unsendable';

/** A classified platform failure: the delivery job alone turns the kind into queue behaviour. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    readonly kind: DeliveryErrorKind,
    /** Stable platform code, e.g. `50001`, `channel_not_found`, `http_503`. */
    readonly code: string,
    message: string,
    /** For `rate_limited`: how long the platform asked us to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  static permanent(code: string, message: string): DeliveryError {
    return new DeliveryError('permanent', code, message);
  }
  static rateLimited(retryAfterMs: number, message = 'rate limited'): DeliveryError {
    return new DeliveryError('rate_limited', 'rate_limited', message, retryAfterMs);
  }
  static transient(code: string, message: string): DeliveryError {
    return new DeliveryError('transient', code, message);
  }
  static rejected(code: string, message: string): DeliveryError {
    return new DeliveryError('rejected', code, message);
  }
  static unsendable(code: string, message: string): DeliveryError {
    return new DeliveryError('unsendable', code, message);
  }
}
