/**
 * Publishing (crossposting) in the fake Discord, as Discord does it:
 * - only in an announcement channel (type 5); elsewhere 400 50024 "Cannot execute action on this channel type";
 * - once per message: again is 400 40033 "This message has already been crossposted";
 * - about 10 publishes an hour per channel (PLATFORM-NOTES §9.4): past that a 429 with `Retry-After` until the
 *   oldest publish of the hour leaves the window;
 * - then a copy reaches each channel that follows the hub, written by the webhook the follow created, flagged
 *   IS_CROSSPOST (1 << 1), with a `message_reference` to the original; the original is flagged CROSSPOSTED;
 * - an edit of a published message reaches its copies: Discord edits each copy in the following channels too
 *   (its content and embeds; a replaced attachment is known not to: discord/discord-api-docs#6856).
 * https://discord.com/developers/docs/resources/message#crosspost-message
 * https://discord.com/developers/docs/resources/message#message-object-message-flags
 */
import { error, ok, wire, type CuedResponse, type FakeMessage } from './wire.js';

const ANNOUNCEMENT = 5;
const IS_CROSSPOST = 1 << 1;
const HOUR_MS = 3_600_000;

/** What the crossposts need of the fake's state. */
export interface CrosspostHost {
  messages: Map<string, FakeMessage[]>;
  channelTypes: Map<string, number>;
  followers: Map<string, Map<string, { webhookId: string; guildId?: string }>>;
  guildOf(channelId: string): string | undefined;
  snowflake(): string;
}

export class FakeCrossposts {
  /** Publishes accepted, by channel id. */
  readonly counts = new Map<string, number>();
  /** Publishes per channel per rolling hour before a 429. */
  limitPerHour = 10;
  /** The fake's clock for the hourly window (tests may move it). */
  now: () => number = Date.now;
  private readonly times = new Map<string, number[]>();

  constructor(private readonly host: CrosspostHost) {}

  /** Every publish accepted, all channels together. */
  total(): number {
    return [...this.counts.values()].reduce((sum, n) => sum + n, 0);
  }

  /** `POST /channels/{id}/messages/{id}/crosspost`. */
  crosspost(channelId: string, messageId: string): CuedResponse {
    const message = this.host.messages.get(channelId)?.find((item) => item.id === messageId);
    if (!message) return error(404, 10008, 'Unknown Message');
    if (this.host.channelTypes.get(channelId) !== ANNOUNCEMENT)
      return error(400, 50024, 'Cannot execute action on this channel type');
    if (message.crossposted) return error(400, 40033, 'This message has already been crossposted.');
    const now = this.now();
    const recent = (this.times.get(channelId) ?? []).filter((at) => at > now - HOUR_MS);
    this.times.set(channelId, recent);
    if (recent.length >= this.limitPerHour) {
      const retryAfter = (recent[0]! + HOUR_MS - now) / 1000;
      return {
        status: 429,
        headers: { 'retry-after': String(Math.ceil(retryAfter)), 'x-ratelimit-scope': 'user' },
        body: { message: 'You are being rate limited.', retry_after: retryAfter, global: false },
      };
    }
    recent.push(now);
    this.counts.set(channelId, (this.counts.get(channelId) ?? 0) + 1);
    message.crossposted = true;
    this.deliverToFollowers(channelId, message);
    return ok(wire(message));
  }

  /** After an edit of `original` in `hubId`: a published message's copies show the edit too. */
  edited(hubId: string, original: FakeMessage): void {
    if (!original.crossposted) return;
    for (const list of this.host.messages.values())
      for (const copy of list) {
        const reference = copy.message_reference;
        if (!copy.webhook_id || reference?.channel_id !== hubId || reference.message_id !== original.id)
          continue;
        copy.content = original.content;
        copy.embeds = original.embeds;
        copy.body = { ...copy.body, content: original.content, embeds: original.embeds };
      }
  }

  /** Discord's own fan-out: a copy into each following channel, by the follow's webhook. */
  private deliverToFollowers(hubId: string, original: FakeMessage): void {
    const guildId = this.host.guildOf(hubId) ?? '1';
    for (const [channelId, follow] of this.host.followers.get(hubId) ?? []) {
      const list = this.host.messages.get(channelId) ?? [];
      this.host.messages.set(channelId, list);
      list.push({
        id: this.host.snowflake(),
        channel_id: channelId,
        content: original.content,
        embeds: original.embeds,
        flags: (original.flags & ~1) | IS_CROSSPOST,
        crossposted: false,
        body: { ...original.body, nonce: undefined },
        author: {
          id: follow.webhookId,
          username: `news #${hubId}`,
          discriminator: '0000',
          avatar: null,
          bot: true,
        },
        webhook_id: follow.webhookId,
        message_reference: { type: 0, channel_id: hubId, guild_id: guildId, message_id: original.id },
      });
    }
  }
}
