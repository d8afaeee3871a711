import type { Redis } from 'ioredis';
import type { ChannelRef } from '../subscriptions/subscription-store.js';
import { channelField } from './ledger.js';

/** Spaces messages to one channel (Slack: about one per second per channel), across every process. */
export interface ChannelPacer {
  /**
   * Takes the channel's slot when it is free (returns 0: send now), else returns how many
   * milliseconds until it frees; nothing is reserved then.
   */
  reserve(channel: ChannelRef, intervalMs: number): Promise<number>;
}

// Redis's own clock, so every worker process agrees on "now" whatever its host clock says.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
if free > now then return free - now end
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(now + interval), 'PX', interval)
return 0`;

/** Per-channel slots in Redis: `${prefix}:ledger-pace:<channel>` holds when the channel's next slot frees. */
export class RedisChannelPacer implements ChannelPacer {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async reserve(channel: ChannelRef, intervalMs: number): Promise<number> {
    if (intervalMs <= 0) return 0;
    const key = `${this.prefix}:ledger-pace:${channelField(channel)}`;
    return Number(await this.redis.eval(RESERVE, 1, key, String(Math.ceil(intervalMs))));
  }
}
