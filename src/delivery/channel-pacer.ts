import type { RedisClient } from '../store/redis-client.js';
import type { ChannelRef } from '../subscriptions/subscription-store.js';
import { channelField } from './ledger.js';

/** Spaces messages to one channel (Slack: about one per second per channel), across every process. */
export interface ChannelPacer {
  /**
   * Gives `ticket` (a job) its own slot on the channel, one `intervalMs` after the slot before it, and
   * returns how many milliseconds until that slot (0: send now). Asking again with the same ticket returns
   * the same slot, so a job that waited for its slot is not pushed back behind the jobs queued after it.
   */
  reserve(channel: ChannelRef, intervalMs: number, ticket: string): Promise<number>;
}

// Redis's own clock, so every worker process agrees on "now" whatever its host clock says.
// KEYS[1]: when the channel's next unreserved slot starts; KEYS[2]: ticket -> its reserved slot;
// KEYS[3]: when the channel last sent. A job woken late must not crowd the next one, so a slot is granted
// only once a whole interval has passed since the last actual send, whatever was planned.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[3]) or '')
local earliest = last and (last + interval) or now
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '')
local slot
if held then
  slot = math.max(held, earliest)
else
  slot = math.max(now, earliest, tonumber(redis.call('GET', KEYS[1]) or '0'))
  redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', slot + interval - now)
end
if slot > now then
  redis.call('HSET', KEYS[2], ARGV[2], tostring(slot))
  redis.call('PEXPIRE', KEYS[2], slot - now + 600000)
  return slot - now
end
if held then redis.call('HDEL', KEYS[2], ARGV[2]) end
redis.call('SET', KEYS[3], tostring(now), 'PX', interval * 2)
return 0`;

/**
 * Per-channel slots in Redis under `${prefix}:${space}:<channel>` (next free slot), `…:tickets` and `…:last`.
 * `space` keeps pacers with different jobs apart (default `ledger-pace`, the channels' message pacing).
 */
export class RedisChannelPacer implements ChannelPacer {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly space: string = 'ledger-pace',
  ) {}

  async reserve(channel: ChannelRef, intervalMs: number, ticket: string): Promise<number> {
    if (intervalMs <= 0) return 0;
    const key = `${this.prefix}:${this.space}:${channelField(channel)}`;
    return Number(
      await this.redis.eval(
        RESERVE,
        3,
        key,
        `${key}:tickets`,
        `${key}:last`,
        String(Math.ceil(intervalMs)),
        ticket,
      ),
    );
  }
}
