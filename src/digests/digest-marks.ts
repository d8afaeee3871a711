import type { RedisClient } from '../store/redis-client.js';
import { channelField } from '../delivery/ledger.js';
import type { ChannelRef } from '../subscriptions/subscription-store.js';

/** Where each digest channel's last digest period ended: the next digest lists what came after. */
export interface DigestMarks {
  lastEnd(channel: ChannelRef): Promise<Date | null>;
  /** Moves the channel's mark forward to `end`; an older `end` (a late retry) leaves it alone. */
  advance(channel: ChannelRef, end: Date): Promise<void>;
}

const ADVANCE = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1`;

/** Marks in one Redis hash, `${prefix}:digest:last`: channel → end of its last digest period (ms). */
export class RedisDigestMarks implements DigestMarks {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.key = `${prefix}:digest:last`;
  }

  async lastEnd(channel: ChannelRef): Promise<Date | null> {
    const value = await this.redis.hget(this.key, channelField(channel));
    const ms = value === null ? Number.NaN : Number(value);
    return Number.isFinite(ms) ? new Date(ms) : null;
  }

  async advance(channel: ChannelRef, end: Date): Promise<void> {
    await this.redis.eval(ADVANCE, 1, this.key, channelField(channel), String(end.getTime()));
  }
}

/** Marks in memory, for unit tests. */
export class MemoryDigestMarks implements DigestMarks {
  private readonly marks = new Map<string, number>();

  async lastEnd(channel: ChannelRef): Promise<Date | null> {
    const ms = this.marks.get(channelField(channel));
    return ms === undefined ? null : new Date(ms);
  }

  async advance(channel: ChannelRef, end: Date): Promise<void> {
    const key = channelField(channel);
    if (end.getTime() > (this.marks.get(key) ?? -1)) this.marks.set(key, end.getTime());
  }
}
