import type { RedisClient } from '../store/redis-client.js';
import { z } from 'zod';
import { PLATFORMS, type Platform } from '../posts/post.js';
import type { ChannelRef } from '../subscriptions/subscription-store.js';
import { STYLES } from '../templates/style.js';
import { channelField, type DeliveryLedger, type LedgerEntry, type LedgerRecord } from './ledger.js';

const entrySchema = z.object({
  messageId: z.string(),
  deliveredAt: z.string(),
  threadId: z.string().optional(),
  version: z.string().optional(),
  editedAt: z.string().optional(),
  template: z.string().optional(),
  style: z.enum(STYLES).optional(),
  crosspostedAt: z.string().optional(),
});

// Merges the changed fields into the entry, in one step, where there is one.
const UPDATE_IF_PRESENT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
local entry = cjson.decode(current)
for field, value in pairs(cjson.decode(ARGV[2])) do entry[field] = value end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
return 1`;
const channelSchema = z.tuple([z.enum(PLATFORMS as [Platform, ...Platform[]]), z.string(), z.string()]);

/** Attempt marks outlive every retry and the failed-job retention (30 days), then expire. */
const ATTEMPT_TTL_S = 31 * 24 * 3600;

/**
 * The delivery ledger in Redis: one hash per post, `${prefix}:ledger:<postKey>`, channel → entry.
 * Kept without expiry: it is the durable record that job retention is not. Attempt marks live beside it
 * in `${prefix}:ledger-attempt:<postKey>` (channel → first attempt's time).
 */
export class RedisDeliveryLedger implements DeliveryLedger {
  constructor(
    private readonly redis: RedisClient,
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

  async update(postKey: string, channel: ChannelRef, changes: Partial<LedgerEntry>): Promise<void> {
    const value = JSON.stringify(entrySchema.partial().parse(changes));
    await this.redis.eval(UPDATE_IF_PRESENT, 1, this.key(postKey), channelField(channel), value);
  }

  async forPost(postKey: string): Promise<LedgerRecord[]> {
    const all = await this.redis.hgetall(this.key(postKey));
    return Object.entries(all).map(([field, value]) => {
      const [platform, workspaceId, channelId] = channelSchema.parse(JSON.parse(field));
      return { ...readEntry(value), channel: { platform, workspaceId, channelId } };
    });
  }

  async markAttempt(postKey: string, channel: ChannelRef, at: Date): Promise<Date | null> {
    const key = `${this.prefix}:ledger-attempt:${postKey}`;
    const field = channelField(channel);
    const [[, created], [, first]] = (await this.redis
      .multi()
      .hsetnx(key, field, at.toISOString())
      .hget(key, field)
      .expire(key, ATTEMPT_TTL_S)
      .exec()) as [[unknown, number], [unknown, string | null], unknown];
    return created === 1 || first === null ? null : new Date(first);
  }

  async attemptedAt(postKey: string, channel: ChannelRef): Promise<Date | null> {
    const first = await this.redis.hget(`${this.prefix}:ledger-attempt:${postKey}`, channelField(channel));
    return first === null ? null : new Date(first);
  }

  async clearAttempt(postKey: string, channel: ChannelRef): Promise<void> {
    await this.redis.hdel(`${this.prefix}:ledger-attempt:${postKey}`, channelField(channel));
  }

  async moveAttempt(postKey: string, channel: ChannelRef, at: Date): Promise<void> {
    const key = `${this.prefix}:ledger-attempt:${postKey}`;
    await this.redis
      .multi()
      .hset(key, channelField(channel), at.toISOString())
      .expire(key, ATTEMPT_TTL_S)
      .exec();
  }
}

/** A stored entry, absent optional fields left out (never `undefined`). */
function readEntry(value: string): LedgerEntry {
  const entry = entrySchema.parse(JSON.parse(value));
  return Object.fromEntries(
    Object.entries(entry).filter(([, v]) => v !== undefined),
  ) as unknown as LedgerEntry;
}
