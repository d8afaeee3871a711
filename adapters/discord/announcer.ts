import type { APIMessage } from 'discord.js';
import type { Post } from '../../src/posts/post.js';
import type {
  AccessCheck,
  AnnounceMode,
  Announcer,
  Delivered,
  DeliveryTarget,
  EarlierAttempt,
  HubChannelCheck,
  LookResult,
  LookSubject,
} from '../../src/delivery/announcer.js';
import { digestTitle, type Digest } from '../../src/digests/digest.js';
import { DeliveryError, isDigestSubject } from '../../src/delivery/announcer.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import { confirmDiscordAccess } from './access.js';
import { markedAsTest, renderDiscordAnnouncement, renderDiscordEdit } from './announcement.js';
import { renderDiscordDigest } from './digest.js';
import { DiscordClient, type DiscordClientOptions } from './client.js';
import { botIdOnce, findEarlierDiscordMessage } from './earlier.js';
import { checkBotIdentity } from './identity.js';
import { ForumTagCache, matchForumTags, threadName } from './forum.js';
import { DiscordFollowUps } from './follow-ups.js';
import { findEarlierForumPost, postToForum } from './forum-posts.js';
import { DiscordHub } from './hub.js';

/**
 * Edits that cannot be made while the channel itself is fine: the message is gone (deleted by a moderator),
 * or its forum post's thread was archived (Discord archives idle threads) or locked. Lost access they are
 * not, so they never disable the subscription.
 */
const UNEDITABLE: ReadonlyMap<number, string> = new Map([
  [10008, 'the announcement was deleted; nothing to edit'],
  [50083, "the announcement's thread is archived; it is left as it is"],
  [160005, "the announcement's thread is locked; it is left as it is"],
]);

/** Discord's nonce limit: https://discord.com/developers/docs/resources/message#create-message */
export const MAX_NONCE_LENGTH = 25;

/**
 * What the announcer needs: how to reach Discord (token, API base, budget: see client.ts), or a client
 * already built.
 */
export interface DiscordAnnouncerOptions extends DiscordClientOptions {
  /** How long after a first attempt a re-send relies on the nonce alone (tests shorten it). */
  nonceTrustMs?: number;
  /** The client every request goes through; built from the options above when omitted. */
  client?: DiscordClient;
  /**
   * DISCORD_APPLICATION_ID: the probe checks the token's bot belongs to it, so another bot's token (whose
   * server list lacks every subscribed server) never gets a server confirmed lost.
   */
  applicationId?: string;
}

/** Posts one announcement to one Discord channel; every failure comes out as a `DeliveryError`. */
export class DiscordAnnouncer implements Announcer {
  readonly platform = 'discord' as const;
  private readonly client: DiscordClient;
  private readonly forums: ForumTagCache;
  private readonly botId: () => Promise<string>;
  private readonly followUps: DiscordFollowUps;
  private readonly hub: DiscordHub;
  /** The token was shown to be the bot's own (`checkIdentity`); it cannot change while the process runs. */
  private ownToken = false;

  constructor(private readonly options: DiscordAnnouncerOptions) {
    this.client = options.client ?? new DiscordClient(options);
    this.forums = new ForumTagCache(this.client);
    this.botId = botIdOnce(this.client);
    this.followUps = new DiscordFollowUps(this.client, options.logger);
    this.hub = new DiscordHub(this.client);
  }

  /** A hub channel's server and type (`GET /channels/{id}`): a hub must be an announcement channel. */
  checkHub(channelId: string): Promise<HubChannelCheck> {
    return this.hub.check(channelId);
  }

  /** Publishes a hub's message to its followers (a crosspost); already published counts as done. */
  publish(channelId: string, messageId: string): Promise<void> {
    return this.hub.publish(channelId, messageId);
  }

  /**
   * Looks for the message an earlier attempt may have posted (beyond the nonce window). A forum has no
   * messages of its own to list: there it looks for the forum post (thread) an earlier attempt made.
   */
  async findEarlier(
    subject: LookSubject,
    target: DeliveryTarget,
    attempt: EarlierAttempt,
  ): Promise<LookResult> {
    if (target.options.forum) {
      const name = isDigestSubject(subject) ? digestThreadName(subject) : threadName(subject.title);
      return findEarlierForumPost(this.client, this.botId, target, { name, subject, since: attempt.since });
    }
    return findEarlierDiscordMessage(
      this.client,
      this.botId,
      target.channelId,
      subject,
      attempt,
      this.options.nonceTrustMs,
    );
  }
  /**
   * `GET /users/@me`: resolves when Discord accepts the token and, given the application id, when the token's
   * bot is that application's (`identity.ts`); throws `wrong_bot` when it is another bot's.
   */
  async probe(): Promise<void> {
    if (this.options.applicationId) await this.checkIdentity();
    else await this.client.call('currentUser', {});
  }

  /** The token's bot belongs to DISCORD_APPLICATION_ID (`identity.ts`); nothing to check without it. */
  async checkIdentity(): Promise<void> {
    if (this.options.applicationId) await checkBotIdentity(this.client, this.options.applicationId);
    this.ownToken = true;
  }

  /**
   * The bot's server list, then `GET /channels/{id}` where the server still has the bot (`access.ts`). The
   * token's bot is checked first: another bot's server list lacks every subscribed server, and the token may
   * have changed (a restart) since the probe that lifted the pause, with the check at start failed.
   */
  async confirmAccess(suspects: readonly { channel: ChannelRef; code: string }[]): Promise<AccessCheck[]> {
    if (!this.ownToken) await this.checkIdentity();
    return confirmDiscordAccess(this.client, suspects);
  }

  /**
   * Sends the embed with the deterministic nonce and `enforce_nonce`, so a resend within Discord's window
   * returns the first message instead of creating a second one. Crossposts in announcement channels
   * when the subscription asks.
   */
  async announce(
    post: Post,
    target: DeliveryTarget,
    nonce: string,
    mode: AnnounceMode = 'delivery',
  ): Promise<Delivered> {
    if (nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH) {
      throw new RangeError(`Discord nonces are 1–${MAX_NONCE_LENGTH} characters (got ${nonce.length})`);
    }
    if (target.options.forum) return postToForum(this.client, this.forums, post, target, mode);
    const rendered = renderDiscordAnnouncement(post, target.options);
    const body = { ...(mode === 'test' ? markedAsTest(rendered) : rendered), nonce, enforce_nonce: true };
    const message = (await this.client.call(
      'createMessage',
      { channelId: target.channelId },
      { body },
    )) as APIMessage;
    if (target.options.crosspost) await this.followUps.crosspost(target.channelId, message.id);
    if (target.options.thread) await this.followUps.openThread(target.channelId, message.id, post.title);
    return { messageId: message.id };
  }

  /**
   * A digest is one message, sent like an announcement (deterministic nonce, `enforce_nonce`, no pings); it
   * is never crossposted.
   */
  async sendDigest(digest: Digest, target: DeliveryTarget, nonce: string): Promise<Delivered> {
    if (target.options.forum) return this.forumDigest(digest, target);
    if (nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH) {
      throw new RangeError(`Discord nonces are 1–${MAX_NONCE_LENGTH} characters (got ${nonce.length})`);
    }
    const body = { ...renderDiscordDigest(digest), nonce, enforce_nonce: true };
    const message = (await this.client.call(
      'createMessage',
      { channelId: target.channelId },
      { body },
    )) as APIMessage;
    return { messageId: message.id };
  }

  /**
   * In a forum a digest is a forum post named after the digest and its day, tagged with the forum's tags its
   * posts carry (at most 5). Forum posts take no nonce: a re-send after an attempt that may have reached
   * Discord first looks for the forum post by its name (`findEarlier`).
   * https://discord.com/developers/docs/resources/channel#start-thread-in-forum-or-media-channel
   */
  private async forumDigest(digest: Digest, target: DeliveryTarget): Promise<Delivered> {
    const forum = await this.forums.get(target.channelId);
    const appliedTags = matchForumTags({ tags: digest.posts.flatMap((post) => post.tags) }, forum);
    if (forum.requireTag && appliedTags.length === 0)
      throw DeliveryError.unsendable(
        'forum_tag_required',
        'this forum requires a tag, and none matches the tags of the posts in this digest',
      );
    const body = {
      name: digestThreadName(digest),
      applied_tags: appliedTags,
      message: renderDiscordDigest(digest),
    };
    const thread = (await this.client.call(
      'startForumThread',
      { channelId: target.channelId },
      { body },
    )) as {
      id: string;
      message?: { id: string };
    };
    return { messageId: thread.message?.id ?? thread.id, threadId: thread.id };
  }

  /**
   * Rewrites the announcement in place (`PATCH`; a forum post's first message lives in its thread). The
   * same body as the send, `allowed_mentions` included: an edit without it re-parses mentions with defaults.
   * https://discord.com/developers/docs/resources/message#edit-message
   */
  async edit(post: Post, target: DeliveryTarget, delivered: Delivered): Promise<void> {
    const body = renderDiscordEdit(post, target.options);
    const channelId = delivered.threadId ?? target.channelId;
    try {
      await this.client.call('editMessage', { channelId, messageId: delivered.messageId }, { body });
    } catch (error) {
      const uneditable = error instanceof DeliveryError ? UNEDITABLE.get(Number(error.code)) : undefined;
      if (uneditable) throw DeliveryError.unsendable((error as DeliveryError).code, uneditable);
      throw error;
    }
  }
}

/** A digest's forum post is named after the digest and its day (what a look for it searches). */
function digestThreadName(digest: Digest): string {
  return threadName(`${digestTitle(digest)}, ${digest.periodEnd.slice(0, 10)}`);
}
