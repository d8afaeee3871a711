import type { Redis } from 'ioredis';
import { z } from 'zod';
import { PLATFORMS, type Platform } from '../posts/post.js';
import type { ChannelRef } from '../subscriptions/subscription-store.js';
import { channelField, type DeliveryLedger, type LedgerEntry, type LedgerRecord } from './ledger.js';

const entrySchema = z.object({
  messageId: z.string(),
  deliveredAt: z.string(),
  threadId: z.string().optional(),
  version: z.string().optional(),
  editedAt: z.string().optional(),
});

const UPDATE_IF_PRESENT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return 0`;
const channelSchema = z.tuple([z.enum(PLATFORMS as [Platform, ...Platform[]]), z.string(), z.string()]);

/**
 * The delivery ledger in Redis: one hash per post, `${prefix}:ledger:<postKey>`, channel → entry.
 * Kept without expiry: it is the durable record that job retention is not.
 */
export class RedisDeliveryLedger implements DeliveryLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(postKey: string): string {
    return `${this.prefix}:ledger:${postKey}`;
  }

  async get(postKey: string, channel: ChannelRef): Promise<LedgerEntry | null> {
    const value = await this.redis.hget(this.key(postKey), channelField(channel));
    return value === null ? null : readEntry(value);
  }

  async record(postKey: string, channel: ChannelRef, entry: LedgerEntry): Promise<boolean> {
    const value = JSON.stringify(entrySchema.parse(entry));
    return (await this.redis.hsetnx(this.key(postKey), channelField(channel), value)) === 1;
  }

  async update(postKey: string, channel: ChannelRef, entry: LedgerEntry): Promise<void> {
    const value = JSON.stringify(entrySchema.parse(entry));
    await this.redis.eval(UPDATE_IF_PRESENT, 1, this.key(postKey), channelField(channel), value);
  }

  async forPost(postKey: string): Promise<LedgerRecord[]> {
    const all = await this.redis.hgetall(this.key(postKey));
    return Object.entries(all).map(([field, value]) => {
      const [platform, workspaceId, channelId] = channelSchema.parse(JSON.parse(field));
      return { ...readEntry(value), channel: { platform, workspaceId, channelId } };
    });
  }
}

/** A stored entry, absent optional fields left out (never `undefined`). */
function readEntry(value: string): LedgerEntry {
  const entry = entrySchema.parse(JSON.parse(value));
  return Object.fromEntries(
    Object.entries(entry).filter(([, v]) => v !== undefined),
  ) as unknown as LedgerEntry;
}
