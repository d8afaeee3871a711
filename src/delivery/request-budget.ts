import { createHash } from 'node:crypto';
import type { RedisClient } from '../store/redis-client.js';

/** Where the invalid-request count stands after one more, and which threshold it just reached, if any. */
export interface InvalidReport {
  count: number;
  /** The platform's own limit in the window (Discord: 10,000 per 10 minutes). */
  limit: number;
  /** Set only by the one answer that reached a threshold: what now happens to requests. */
  crossed: 'reported' | 'slowed' | 'held' | null;
}

/**
 * A platform's request limits shared by every worker process: requests per second per token, and a budget
 * of invalid answers (Discord: 401, 403 and 429 count; 10,000 in 10 minutes bans the IP). The client layer
 * takes a slot before each request and reports each invalid answer.
 */
export interface RequestBudget {
  /** Takes one request slot: 0 when the request may go now (it is counted), else ms until one may. */
  take(): Promise<number>;
  /** Counts one invalid answer. */
  invalid(): Promise<InvalidReport>;
  /** Invalid answers in the current window (status, metrics). */
  invalidCount(): Promise<number>;
}

/**
 * Where the invalid-request count stands (for the operator's `status`): the count in the window, the
 * platform's limit, and the budget's own thresholds with the state they put requests in now.
 */
export interface InvalidStanding {
  count: number;
  limit: number;
  windowMs: number;
  slowAt: number;
  slowPerSecond: number;
  holdAt: number;
  /** `normal`, `slowed` (from `slowAt`: `slowPerSecond` requests a second) or `held` (from `holdAt`). */
  state: 'normal' | 'slowed' | 'held';
}

/** The standing of `count` invalid answers under `limits`. */
export function invalidStanding(count: number, limits: RequestBudgetLimits): InvalidStanding {
  const { invalidLimit, invalidWindowMs, slowAt, slowPerSecond, holdAt } = limits;
  const state = count >= holdAt ? 'held' : count >= slowAt ? 'slowed' : 'normal';
  return { count, limit: invalidLimit, windowMs: invalidWindowMs, slowAt, slowPerSecond, holdAt, state };
}

/** What the budget allows: requests per second, and what happens as invalid answers mount up. */
export interface RequestBudgetLimits {
  perSecond: number;
  /** The platform's invalid-request limit and its window. */
  invalidLimit: number;
  invalidWindowMs: number;
  /** Logged once reached. */
  reportAt: number;
  /** From here on, requests go at `slowPerSecond`. */
  slowAt: number;
  slowPerSecond: number;
  /** From here on, requests wait until older invalid answers leave the window. */
  holdAt: number;
}

/**
 * Discord's: 50 requests/s per token (48, a margin for clock drift between us and Discord), 10,000 invalid
 * requests per 10 minutes; reported at a tenth, slowed to 5/s at a quarter, held at half of it, so a storm of
 * refusals (a server removing the bot, a bad proxy) can never get near the ban.
 * https://discord.com/developers/docs/topics/rate-limits#global-rate-limit
 * https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans
 */
export const DISCORD_REQUEST_LIMITS: RequestBudgetLimits = {
  perSecond: 48,
  invalidLimit: 10_000,
  invalidWindowMs: 10 * 60_000,
  reportAt: 1_000,
  slowAt: 2_500,
  slowPerSecond: 5,
  holdAt: 5_000,
};

/** As in workspace-budget.ts: a request granted at a window's edge may reach the platform a little early. */
const WINDOW_MARGIN_MS = 20;
const WINDOW_MS = 1_000;

// On Redis's own clock, so every process agrees on "now". KEYS[1] requests of the last second (zset),
// KEYS[2] invalid answers of the window (zset), KEYS[3] a sequence for unique members.
// ARGV: per second, slowed per second, slow at, hold at, window ms, invalid window ms.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local perSecond, slowed = tonumber(ARGV[1]), tonumber(ARGV[2])
local slowAt, holdAt = tonumber(ARGV[3]), tonumber(ARGV[4])
local window, invalidWindow = tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - invalidWindow)
local invalid = redis.call('ZCARD', KEYS[2])
if invalid >= holdAt then
  local oldest = redis.call('ZRANGE', KEYS[2], invalid - holdAt, invalid - holdAt, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + invalidWindow - now)
end
local budget = perSecond
if invalid >= slowAt then budget = slowed end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local sent = redis.call('ZCARD', KEYS[1])
if sent >= budget then
  local oldest = redis.call('ZRANGE', KEYS[1], sent - budget, sent - budget, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, now .. ':' .. redis.call('INCR', KEYS[3]))
redis.call('PEXPIRE', KEYS[1], window * 2)
redis.call('PEXPIRE', KEYS[3], invalidWindow)
return 0`;
const TAKE_SHA = createHash('sha1').update(TAKE).digest('hex');

// KEYS[2] invalid answers (zset), KEYS[3] the sequence; ARGV[1] the window. Returns the count after this one.
const INVALID = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZADD', KEYS[1], now, now .. ':' .. redis.call('INCR', KEYS[2]))
redis.call('PEXPIRE', KEYS[1], window)
redis.call('PEXPIRE', KEYS[2], window)
return redis.call('ZCARD', KEYS[1])`;

/**
 * One platform's request budget in Redis, under `${prefix}:request-budget:${name}:*`, shared by every
 * worker process of the deployment (one token, one egress IP).
 */
export class RedisRequestBudget implements RequestBudget {
  private readonly keys: { sent: string; invalid: string; seq: string };

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    name: string,
    private readonly limits: RequestBudgetLimits = DISCORD_REQUEST_LIMITS,
  ) {
    if (!(limits.perSecond > 0) || !(limits.slowPerSecond > 0))
      throw new Error('a request budget needs positive rates');
    const base = `${prefix}:request-budget:${name}`;
    this.keys = { sent: `${base}:sent`, invalid: `${base}:invalid`, seq: `${base}:seq` };
  }

  async take(): Promise<number> {
    const { perSecond, slowPerSecond, slowAt, holdAt, invalidWindowMs } = this.limits;
    const args = [
      this.keys.sent,
      this.keys.invalid,
      this.keys.seq,
      String(Math.floor(perSecond)),
      String(Math.floor(slowPerSecond)),
      String(slowAt),
      String(holdAt),
      String(WINDOW_MS + WINDOW_MARGIN_MS),
      String(invalidWindowMs),
    ];
    // Every request runs this: send the script's hash, and the script itself only when the server lacks it.
    const wait = await this.redis.evalsha(TAKE_SHA, 3, ...args).catch((error: unknown) => {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT'))
        return this.redis.eval(TAKE, 3, ...args);
      throw error;
    });
    return Number(wait);
  }

  async invalid(): Promise<InvalidReport> {
    const { invalidLimit, invalidWindowMs, reportAt, slowAt, holdAt } = this.limits;
    const count = Number(
      await this.redis.eval(INVALID, 2, this.keys.invalid, this.keys.seq, String(invalidWindowMs)),
    );
    const crossed =
      count === holdAt ? 'held' : count === slowAt ? 'slowed' : count === reportAt ? 'reported' : null;
    return { count, limit: invalidLimit, crossed };
  }

  /** The invalid-request count with the budget's thresholds and state (`status`). */
  async standing(): Promise<InvalidStanding> {
    return invalidStanding(await this.invalidCount(), this.limits);
  }

  async invalidCount(): Promise<number> {
    const [seconds, micros] = await this.redis.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    return this.redis.zcount(this.keys.invalid, now - this.limits.invalidWindowMs, '+inf');
  }
}
