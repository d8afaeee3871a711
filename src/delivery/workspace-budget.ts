import { createHash } from 'node:crypto';
import type { RedisClient } from '../store/redis-client.js';
import type { ChannelRef } from '../subscriptions/subscription-store.js';
import type { ChannelPacer } from './channel-pacer.js';
import { channelField } from './ledger.js';

/**
 * Added to the workspace's one-second window: a message granted at the window's edge reaches Slack a few ms
 * later or sooner than the one granted a second before it (scheduling jitter), and a closer pair earns a 429.
 */
const WINDOW_MARGIN_MS = 20;
const WINDOW_MS = 1_000;

// One step, on Redis's own clock, for a channel and its workspace together, so no worker process can take a
// channel slot and then find the workspace full (or the reverse). Channel part as in channel-pacer.ts.
// KEYS[1] channel's next free slot, KEYS[2] ticket -> its slot, KEYS[3] channel's last send,
// KEYS[4] workspace's next free slot, KEYS[5] workspace's sends of the last window (zset ticket -> time).
// ARGV: channel interval, ticket, workspace spacing, workspace messages per window, window ms.
// Slots hand out the workspace's budget evenly (one per spacing); the log of actual sends is the hard limit:
// a slot is granted only while fewer than the budget were sent in the window before it, so jobs that woke
// late never crowd one window.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval, ticket = tonumber(ARGV[1]), ARGV[2]
local spacing, budget, window = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local last = tonumber(redis.call('GET', KEYS[3]) or '')
local earliest = last and (last + interval) or now
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - window)
local sent = redis.call('ZCARD', KEYS[5])
if sent >= budget then
  local oldest = redis.call('ZRANGE', KEYS[5], sent - budget, sent - budget, 'WITHSCORES')
  earliest = math.max(earliest, tonumber(oldest[2]) + window)
end
local held = tonumber(redis.call('HGET', KEYS[2], ticket) or '')
local slot
if held then
  slot = math.max(held, earliest)
else
  slot = math.max(now, earliest, tonumber(redis.call('GET', KEYS[1]) or '0'),
    tonumber(redis.call('GET', KEYS[4]) or '0'))
  redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', slot + interval - now)
  redis.call('SET', KEYS[4], tostring(slot + spacing), 'PX', slot + spacing - now)
end
if slot > now then
  redis.call('HSET', KEYS[2], ticket, tostring(slot))
  redis.call('PEXPIRE', KEYS[2], slot - now + 600000)
  return slot - now
end
if held then redis.call('HDEL', KEYS[2], ticket) end
redis.call('SET', KEYS[3], tostring(now), 'PX', interval * 2)
redis.call('ZADD', KEYS[5], now, ticket)
redis.call('PEXPIRE', KEYS[5], window * 2)
return 0`;
const RESERVE_SHA = createHash('sha1').update(RESERVE).digest('hex');

/**
 * Paces Slack deliveries per channel (about one message a second) and per workspace (a budget of
 * `workspacePerSecond`, shared by every worker process through Redis): Slack limits `chat.postMessage` per
 * channel and per workspace, not per app, so one busy workspace never slows another.
 * https://docs.slack.dev/apis/web-api/rate-limits
 * Keys under `${prefix}:ledger-pace:<channel>` (as `RedisChannelPacer`) and `${prefix}:ws-budget:<workspace>`.
 */
export class RedisWorkspaceBudgetPacer implements ChannelPacer {
  private readonly spacingMs: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly workspacePerSecond: number,
  ) {
    if (!(workspacePerSecond > 0)) throw new Error('the workspace budget must be positive');
    this.spacingMs = Math.max(1, Math.ceil(WINDOW_MS / workspacePerSecond));
  }

  async reserve(channel: ChannelRef, intervalMs: number, ticket: string): Promise<number> {
    const key = `${this.prefix}:ledger-pace:${channelField(channel)}`;
    const workspace = `${this.prefix}:ws-budget:${channel.platform}:${channel.workspaceId}`;
    const args = [
      key,
      `${key}:tickets`,
      `${key}:last`,
      `${workspace}:next`,
      `${workspace}:sent`,
      String(Math.max(1, Math.ceil(intervalMs))),
      ticket,
      String(this.spacingMs),
      String(Math.max(1, Math.floor(this.workspacePerSecond))),
      String(WINDOW_MS + WINDOW_MARGIN_MS),
    ];
    // Every delivery runs this: send the script's hash, and the script itself only when the server lacks it.
    const wait = await this.redis.evalsha(RESERVE_SHA, 5, ...args).catch((error: unknown) => {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT'))
        return this.redis.eval(RESERVE, 5, ...args);
      throw error;
    });
    return Number(wait);
  }
}
