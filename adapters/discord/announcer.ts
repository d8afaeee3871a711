import { ChannelType, DiscordAPIError, REST, Routes, type APIChannel, type APIMessage } from 'discord.js';
import type { Logger } from '../../src/logger.js';
import type { Post } from '../../src/posts/post.js';
import type {
  Announcer,
  Delivered,
  DeliveryTarget,
  EarlierAttempt,
  LookResult,
} from '../../src/delivery/announcer.js';
import { renderDiscordAnnouncement } from './announcement.js';
import { botIdOnce, findEarlierDiscordMessage } from './earlier.js';
import { toDeliveryError } from './errors.js';

/** Discord's nonce limit: https://discord.com/developers/docs/resources/message#create-message */
export const MAX_NONCE_LENGTH = 25;

/** What the announcer needs from config: the bot token and the API base (a local fake in tests). */
export interface DiscordAnnouncerOptions {
  token: string;
  apiUrl: string;
  /** Global requests per second the REST client allows itself (Discord's limit is 50). */
  requestsPerSecond?: number;
  /** Per-request timeout; a timeout is a transient failure. */
  timeoutMs?: number;
  /** How long after a first attempt a re-send relies on the nonce alone (tests shorten it). */
  nonceTrustMs?: number;
  logger?: Logger;
}

/**
 * Builds the REST client the announcer uses: no retries of its own and every 429 rejected at once, so
 * the delivery queue alone owns retries and waits (a library retry would hide the wait from the queue).
 */
export function createAnnouncerRest(options: DiscordAnnouncerOptions): REST {
  return new REST({
    api: options.apiUrl,
    retries: 0,
    rejectOnRateLimit: () => true,
    globalRequestsPerSecond: options.requestsPerSecond ?? 50,
    timeout: options.timeoutMs ?? 15_000,
  }).setToken(options.token);
}

/** Posts one announcement to one Discord channel; every failure comes out as a `DeliveryError`. */
export class DiscordAnnouncer implements Announcer {
  readonly platform = 'discord' as const;
  private readonly rest: REST;
  /** Channel types never change in place, so one lookup per channel per process is enough. */
  private readonly channelTypes = new Map<string, number>();
  private readonly botId: () => Promise<string>;

  constructor(private readonly options: DiscordAnnouncerOptions & { rest?: REST }) {
    this.rest = options.rest ?? createAnnouncerRest(options);
    this.botId = botIdOnce(this.rest);
  }

  /** Looks for the message an earlier attempt may have posted (beyond the nonce window). */
  findEarlier(post: Post, target: DeliveryTarget, attempt: EarlierAttempt): Promise<LookResult> {
    return this.guarded(() =>
      findEarlierDiscordMessage(
        this.rest,
        this.botId,
        target.channelId,
        post,
        attempt,
        this.options.nonceTrustMs,
      ),
    );
  }

  /** `GET /users/@me`: resolves when Discord accepts the token. */
  async probe(): Promise<void> {
    await this.guarded(() => this.rest.get(Routes.user('@me')));
  }

  /**
   * @discordjs/rest forgets the token on any 401 (`setToken(null)`), after which every request fails
   * locally: one 401 from a proxy would stop delivery for good. Restore it, so the next attempt really asks.
   */
  private async guarded<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof DiscordAPIError && error.status === 401) this.rest.setToken(this.options.token);
      throw error;
    }
  }

  /**
   * Sends the embed with the deterministic nonce and `enforce_nonce`, so a resend within Discord's window
   * returns the first message instead of creating a second one. Crossposts in announcement channels
   * when the subscription asks.
   */
  async announce(post: Post, target: DeliveryTarget, nonce: string): Promise<Delivered> {
    if (nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH) {
      throw new RangeError(`Discord nonces are 1–${MAX_NONCE_LENGTH} characters (got ${nonce.length})`);
    }
    const body = { ...renderDiscordAnnouncement(post, target.options), nonce, enforce_nonce: true };
    let message: APIMessage;
    try {
      message = (await this.guarded(() =>
        this.rest.post(Routes.channelMessages(target.channelId), { body }),
      )) as APIMessage;
    } catch (error) {
      throw toDeliveryError(error);
    }
    if (target.options.crosspost) await this.crosspost(target.channelId, message.id);
    return { messageId: message.id };
  }

  /**
   * Publishes the message to following servers. Best effort: the message is already delivered, and
   * failing the job here would only repeat the send, so a crosspost failure (missing permission, the
   * tight per-channel crosspost rate limit) is logged, never thrown.
   * https://discord.com/developers/docs/resources/message#crosspost-message
   */
  private async crosspost(channelId: string, messageId: string): Promise<void> {
    try {
      if ((await this.channelType(channelId)) !== ChannelType.GuildAnnouncement) return;
      await this.rest.post(Routes.channelMessageCrosspost(channelId, messageId));
    } catch (error) {
      const failure = toDeliveryError(error);
      this.options.logger?.warn(
        { channelId, messageId, code: failure.code, err: failure.message },
        'crosspost failed',
      );
    }
  }

  private async channelType(channelId: string): Promise<number> {
    const known = this.channelTypes.get(channelId);
    if (known !== undefined) return known;
    const channel = (await this.rest.get(Routes.channel(channelId))) as APIChannel;
    this.channelTypes.set(channelId, channel.type);
    return channel.type;
  }
}
