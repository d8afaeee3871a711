import type { RedisClient } from '../store/redis-client.js';
import type { ChannelRef } from '../subscriptions/subscription-store.js';

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
    const where = `${channel.platform} ${channel.workspaceId}`;
    await this.redis.hset(this.key, `look:${where}`, `${reason} (e.g. channel ${channel.channelId})`);
  }

  /** One line per note, e.g. `slack T1: cannot look before re-sending: conversations.history: missing_scope …`. */
  async lines(): Promise<string[]> {
    const all = await this.redis.hgetall(this.key);
    return Object.entries(all)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([field, text]) => `${field.slice('look:'.length)}: cannot look before re-sending: ${text}`);
  }
}
