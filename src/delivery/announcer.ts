import type { Digest } from '../digests/digest.js';
import type { Platform, Post } from '../posts/post.js';
import type { SubscriptionOptions } from '../subscriptions/subscription.js';
import type { ChannelRef } from '../subscriptions/subscription-store.js';

/** Where one announcement goes. */
export interface DeliveryTarget {
  workspaceId: string;
  channelId: string;
  options: SubscriptionOptions;
}

/** What the platform answered when it accepted a message. */
export interface Delivered {
  messageId: string;
  /** Discord: the thread holding the message (a forum post), where edits of it go. */
  threadId?: string;
}

/** An earlier attempt of a delivery that may have reached the platform without our hearing back. */
export interface EarlierAttempt {
  /** The delivery's deterministic key (its nonce): Slack messages carry it in their metadata. */
  nonce: string;
  /** When the first attempt started: nothing older needs reading. */
  since: Date;
  /** Where a look that read part of its window stopped (`{ partial }`): it goes on from there. */
  cursor?: string;
}

/** What a look searches for: one post's announcement, or one period's digest. */
export type LookSubject = Post | Digest;

/** Whether a look is for a digest (a digest lists posts; a post has none). */
export function isDigestSubject(subject: LookSubject): subject is Digest {
  return 'posts' in subject;
}

/**
 * What looking for an earlier attempt's message found: the message, nothing (safe to send), that the
 * platform would not let us look (a missing scope or permission: then the caller sends as before), or
 * (`partial`) one page read without it and more to read: the look goes on later from that cursor.
 */
export type LookResult =
  { found: Delivered } | { found: null } | { unavailable: string } | { partial: string };

/** Whether a message is a delivery (the announcement the ledger records) or a `/psf test` message. */
export type AnnounceMode = 'delivery' | 'test';

/**
 * What the platform said when asked again about a channel that answered a lost-access code (`code`):
 * - `lost`: it confirms the loss; `reason` in the platform's words. `workspace`: the whole server or workspace
 *   is lost to the bot (Discord: the server removed it), so every subscription there goes.
 * - `reachable`: the bot can reach the channel; its subscription is re-enabled and its jobs re-driven.
 * - `unknown`: the answer proves nothing (a 5xx, a timeout, an unexpected code); treated like `reachable`.
 */
export type AccessCheck = { channel: ChannelRef } & (
  | { verdict: 'lost'; reason: string; workspace?: boolean }
  | { verdict: 'reachable' }
  | { verdict: 'unknown'; reason: string }
);

/** What the platform says of a hub channel: its server, and whether its messages can be published to followers. */
export interface HubChannelCheck {
  serverId: string | null;
  /** Discord: the channel is an announcement channel (type 5), the only kind other servers can follow. */
  announcement: boolean;
  /** The channel's type as the platform named it, for the operator's message. */
  type: number;
}

/**
 * The outbound port: post one announcement to one channel. Implementations throw `DeliveryError`
 * for every failure they can classify; anything else is treated as transient.
 */
export interface Announcer {
  readonly platform: Platform;
  /**
   * `nonce` is deterministic per (post, channel), at most 25 characters (Discord's limit). `mode: 'test'`
   * (`/psf test`) marks the message as a test where the platform has no other way to tell it from the
   * delivery, so a look never takes it for the announcement.
   */
  announce(post: Post, target: DeliveryTarget, nonce: string, mode?: AnnounceMode): Promise<Delivered>;
  /**
   * Posts one digest (a list of posts) to one channel; the same errors and nonce rules as `announce`. Every
   * platform adapter has it; absent only in test doubles that never receive a digest.
   */
  sendDigest?(digest: Digest, target: DeliveryTarget, nonce: string): Promise<Delivered>;
  /**
   * Rewrites an announcement already delivered (`delivered` as the ledger recorded it) to show the post as
   * it is now; never creates a message. Platforms without edits leave it out.
   */
  edit?(post: Post, target: DeliveryTarget, delivered: Delivered): Promise<void>;
  /**
   * Looks in the channel for the message an earlier attempt may have posted. Throws a `DeliveryError` when
   * the look itself failed (then nothing may be sent). Absent: the platform cannot look (console).
   */
  findEarlier?(subject: LookSubject, target: DeliveryTarget, attempt: EarlierAttempt): Promise<LookResult>;
  /**
   * One cheap authenticated call (Discord `GET /users/@me`, Slack `auth.test`): resolves when the platform
   * accepts the bot, throws when not. Used to resume deliveries the mass-disable guard paused.
   */
  probe?(workspaceId: string): Promise<void>;
  /**
   * Whether the configured token is this bot's own (Discord: its bot belongs to DISCORD_APPLICATION_ID).
   * Throws an `auth` DeliveryError coded `WRONG_BOT` when it is another bot's; resolves otherwise, also when
   * there is nothing to check. Checked once as delivery starts: another bot's token would see every channel
   * as lost.
   */
  checkIdentity?(): Promise<void>;
  /**
   * Once the probe has shown the token works, asks the platform about each channel the mass-disable guard
   * held, with the lost-access code it answered (Discord: the bot's server list and `GET /channels/{id}`;
   * Slack: `conversations.info`). Throws a `DeliveryError` when it could not ask at all.
   */
  confirmAccess?(suspects: readonly { channel: ChannelRef; code: string }[]): Promise<AccessCheck[]>;
  /**
   * Hub channels (Discord): what the channel is. Throws a `DeliveryError` when the platform could not say.
   */
  checkHub?(channelId: string): Promise<HubChannelCheck>;
  /**
   * Hub channels (Discord): publishes a delivered message to every channel following the hub (a crosspost).
   * Resolves when it is published, also when it already was; throws a `DeliveryError` otherwise.
   */
  publish?(channelId: string, messageId: string): Promise<void>;
}

/**
 * `permanent`: the channel is gone or closed to us (disable it); `rate_limited`: wait and retry; `transient`:
 * back off and retry; `rejected`: the platform refused this one message as malformed (e.g. a field over a
 * limit): retrying sends the same bytes, and the channel is fine, so only this delivery fails.
 * `unsendable`: this post cannot go to this channel (a forum requiring a tag none of the post's match, an
 * announcement deleted before its edit), while the channel itself is fine: skip the post, note it, no retry.
 * `auth`: the platform refused the bot's credentials (a 401): retried like `transient` and never disables a
 * channel, since one token serves every channel and a proxy's stray 401 says nothing about any of them.
 */
export type DeliveryErrorKind =
  'permanent' | 'rate_limited' | 'transient' | 'rejected' | 'unsendable' | 'auth';

/**
 * What a rate limit is about, so only that waits: `channel` (a Discord per-route bucket), `workspace` (Slack
 * limits each workspace and method) or `global` (Discord's per-token limit: the whole platform waits).
 */
export type RateLimitScope = 'channel' | 'workspace' | 'global';

/**
 * The code of an `auth` failure meaning the token works but is another bot's (Discord: another application's;
 * Slack: another workspace's): nothing may be confirmed lost with it, and its platform stays paused.
 */
export const WRONG_BOT = 'wrong_bot';

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
    /** For `rate_limited`: who must wait (see `RateLimitScope`). */
    readonly scope: RateLimitScope = 'channel',
  ) {
    super(message);
  }

  static permanent(code: string, message: string): DeliveryError {
    return new DeliveryError('permanent', code, message);
  }
  static rateLimited(
    retryAfterMs: number,
    message = 'rate limited',
    scope: RateLimitScope = 'channel',
  ): DeliveryError {
    return new DeliveryError('rate_limited', 'rate_limited', message, retryAfterMs, scope);
  }
  static transient(code: string, message: string): DeliveryError {
    return new DeliveryError('transient', code, message);
  }
  static auth(code: string, message: string): DeliveryError {
    return new DeliveryError('auth', code, message);
  }
  static rejected(code: string, message: string): DeliveryError {
    return new DeliveryError('rejected', code, message);
  }
  static unsendable(code: string, message: string): DeliveryError {
    return new DeliveryError('unsendable', code, message);
  }
}
