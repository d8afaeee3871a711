import type { RedisClient } from '../store/redis-client.js';
import type { Platform } from '../posts/post.js';
import type { ChannelRef } from '../subscriptions/subscription-store.js';

/** `a b c` split at its first `separator`: `['a', 'b c']`. */
function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length)];
}

function lookField(channel: ChannelRef): string {
  return `look:${channel.platform} ${channel.workspaceId}`;
}

/**
 * What operators should know about delivery that no queue count shows: workspaces where the bot may not look
 * for an earlier attempt before re-sending (a missing scope or permission). Kept in one Redis hash,
 * `${prefix}:delivery-notes`, written once per workspace per process, read by `status` and `doctor`.
 */
export class RedisDeliveryNotes {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.key = `${prefix}:delivery-notes`;
  }

  async unavailable(channel: ChannelRef, reason: string): Promise<void> {
    await this.redis.hset(this.key, lookField(channel), `${reason} (e.g. channel ${channel.channelId})`);
  }

  /** A look worked in the channel's workspace (the scope or permission was granted): forgets its note. */
  async available(channel: ChannelRef): Promise<void> {
    await this.redis.hdel(this.key, lookField(channel));
  }

  /** One line per note, e.g. `slack T1: cannot look before re-sending: conversations.history: missing_scope …`. */
  async lines(): Promise<string[]> {
    return (await this.entries()).map(({ text }) => text);
  }

  /** Each note's line with the workspace it concerns, so `status` shows it to that workspace only. */
  async entries(): Promise<{ tenant: { platform: Platform; workspaceId: string }; text: string }[]> {
    const all = await this.redis.hgetall(this.key);
    return Object.entries(all)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([field, text]) => {
        const [platform, workspaceId] = splitOnce(field.slice('look:'.length), ' ');
        return {
          tenant: { platform: platform as Platform, workspaceId },
          text: `${field.slice('look:'.length)}: cannot look before re-sending: ${text}`,
        };
      });
  }
}
