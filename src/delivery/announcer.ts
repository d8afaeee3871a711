import type { Digest } from '../digests/digest.js';
import type { Platform, Post } from '../posts/post.js';
import type { SubscriptionOptions } from '../subscriptions/subscription.js';

/** Where one announcement goes. */
export interface DeliveryTarget {
  workspaceId: string;
  channelId: string;
  options: SubscriptionOptions;
}

/** What the platform answered when it accepted a message. */
export interface Delivered {
  messageId: string;
}

/**
 * The outbound port: post one announcement to one channel. Implementations throw `DeliveryError`
 * for every failure they can classify; anything else is treated as transient.
 */
export interface Announcer {
  readonly platform: Platform;
  /** `nonce` is deterministic per (post, channel), at most 25 characters (Discord's limit). */
  announce(post: Post, target: DeliveryTarget, nonce: string): Promise<Delivered>;
  /** Posts one digest (a list of posts) to one channel; the same errors and nonce rules as `announce`. */
  sendDigest(digest: Digest, target: DeliveryTarget, nonce: string): Promise<Delivered>;
}

/**
 * `permanent`: the channel is gone or closed to us (disable it); `rate_limited`: wait and retry; `transient`:
 * back off and retry; `rejected`: the platform refused this one message as malformed (e.g. a field over a
 * limit): retrying sends the same bytes, and the channel is fine, so only this delivery fails.
 */
export type DeliveryErrorKind = 'permanent' | 'rate_limited' | 'transient' | 'rejected';

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
}
