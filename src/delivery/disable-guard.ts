import type { RedisClient } from '../store/redis-client.js';
import { z } from 'zod';
import type { Platform } from '../posts/post.js';
import type { ChannelRef } from '../subscriptions/subscription-store.js';
import { channelField } from './ledger.js';

/** When the guard trips: more than `share` of a platform's sends within `windowMs` lost access, and at least `min`. */
export interface GuardPolicy {
  share: number;
  min: number;
  windowMs: number;
}

export const DEFAULT_GUARD_POLICY: GuardPolicy = { share: 0.25, min: 5, windowMs: 60_000 };

/** Why a platform's deliveries are paused, and the channels disabled just before the guard tripped. */
export const guardTripSchema = z.object({
  reason: z.string(),
  at: z.string(),
  /** A workspace that failed, for a probe that needs one (Slack `auth.test`). */
  workspaceId: z.string(),
});
export type GuardTrip = z.infer<typeof guardTripSchema>;

/** What to do with one permanent failure. */
export type GuardVerdict =
  { action: 'disable' } | { action: 'hold'; trip: GuardTrip; justTripped: boolean; reenable: ChannelRef[] };

/**
 * What one guard watches: a platform's bot is one token on Discord, but one token per workspace on Slack, so a
 * workspace whose token is revoked or wrong trips (and is held by) its own guard, never the other workspaces'.
 */
export function guardScope(channel: Pick<ChannelRef, 'platform' | 'workspaceId'>): string {
  return channel.platform === 'slack' ? `slack:${channel.workspaceId}` : channel.platform;
}

/** The platform of a guard scope. */
function scopePlatform(scope: string): Platform {
  return scope.split(':')[0] as Platform;
}

/** Separates the parts of a lost-access entry: time, job id, channel. */
const SEP = '\u0001';

// KEYS: sends zset, lost zset, trip key, re-drive set, tripped scopes set. ARGV: now, window, share, min,
// member, trip JSON, scope.
// Counts the lost-access answer, and trips when they are too many of the window's sends; the jobs failed
// in the window go to the re-drive set, to run again once the guard clears.
const LOST = `
local now = tonumber(ARGV[1])
local from = now - tonumber(ARGV[2])
local tripped = redis.call('GET', KEYS[3])
if tripped then return {'held', tripped} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', from)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', from)
local sends = redis.call('ZCARD', KEYS[1])
local lost = redis.call('ZCARD', KEYS[2]) + 1
if lost >= tonumber(ARGV[4]) and lost > tonumber(ARGV[3]) * math.max(sends, 1) then
  redis.call('SET', KEYS[3], ARGV[6])
  redis.call('SADD', KEYS[5], ARGV[7])
  local earlier = redis.call('ZRANGE', KEYS[2], 0, -1)
  for _, member in ipairs(earlier) do redis.call('SADD', KEYS[4], member) end
  redis.call('DEL', KEYS[1], KEYS[2])
  return {'tripped', ARGV[6], unpack(earlier)}
end
redis.call('ZADD', KEYS[2], now, ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return {'disable'}`;

/**
 * The mass-disable guard (shared by every worker process, in Redis): a subscription is disabled on a lost-access
 * answer unless such answers are suddenly a large share of the platform's sends, which means the bot, its
 * token, a proxy or the config is wrong, not the channels. Then nothing more is disabled, the channels disabled
 * in the window are handed back for re-enabling, and the platform stays paused until `clear`.
 * Keys: `${prefix}:guard:<scope>:sends|lost` (sorted sets of the window) and `…:tripped`, where the scope is
 * the platform or, on Slack, `slack:<workspace>` (see `guardScope`); `…:<platform>:trips` lists tripped scopes.
 */
export class RedisDisableGuard {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly policy: GuardPolicy = DEFAULT_GUARD_POLICY,
  ) {}

  private key(scope: string, part: string): string {
    return `${this.prefix}:guard:${scope}:${part}`;
  }

  /** Counts one send of a scope (`guardScope`) that reached an answer (accepted or refused). */
  async sent(scope: string, id: string): Promise<void> {
    const key = this.key(scope, 'sends');
    await this.redis
      .multi()
      .zadd(key, Date.now(), `${Date.now()}:${id}`)
      .zremrangebyscore(key, '-inf', Date.now() - this.policy.windowMs)
      .pexpire(key, this.policy.windowMs)
      .exec();
  }

  /** Judges one lost-access answer: disable the channel, or hold it because the guard is (now) tripped. */
  async lost(channel: ChannelRef, reason: string, jobId: string): Promise<GuardVerdict> {
    const trip: GuardTrip = { reason, at: new Date().toISOString(), workspaceId: channel.workspaceId };
    const scope = guardScope(channel);
    const answer = (await this.redis.eval(
      LOST,
      5,
      this.key(scope, 'sends'),
      this.key(scope, 'lost'),
      this.key(scope, 'tripped'),
      this.key(channel.platform, 'redrive'),
      this.key(channel.platform, 'trips'),
      String(Date.now()),
      String(this.policy.windowMs),
      String(this.policy.share),
      String(this.policy.min),
      [Date.now(), jobId, channelField(channel)].join(SEP),
      JSON.stringify(trip),
      scope,
    )) as string[];
    if (answer[0] === 'disable') return { action: 'disable' };
    const stored = guardTripSchema.parse(JSON.parse(answer[1]!));
    const reenable = answer.slice(2).map((member) => {
      const [platform, workspaceId, channelId] = JSON.parse(member.split(SEP)[2]!) as string[];
      return { platform: platform as Platform, workspaceId: workspaceId!, channelId: channelId! };
    });
    return { action: 'hold', trip: stored, justTripped: answer[0] === 'tripped', reenable };
  }

  /** Why the scope (`guardScope`: a platform, or one Slack workspace) is paused, or null. */
  async tripped(scope: string): Promise<GuardTrip | null> {
    const value = await this.redis.get(this.key(scope, 'tripped'));
    return value === null ? null : guardTripSchema.parse(JSON.parse(value));
  }

  /** Every paused scope of a platform, with why. */
  async trips(platform: Platform): Promise<{ scope: string; trip: GuardTrip }[]> {
    const scopes = new Set(await this.redis.smembers(this.key(platform, 'trips')));
    scopes.add(platform); // a trip written before scopes were listed
    const found = await Promise.all(
      [...scopes].sort().map(async (scope) => ({ scope, trip: await this.tripped(scope) })),
    );
    return found.flatMap(({ scope, trip }) => (trip ? [{ scope, trip }] : []));
  }

  /** Lifts the pause of a scope (a probe succeeded, or the operator fixed it). */
  async clear(scope: string): Promise<void> {
    await this.redis
      .multi()
      .del(this.key(scope, 'tripped'))
      .srem(this.key(scopePlatform(scope), 'trips'), scope)
      .exec();
  }

  /**
   * The deliveries that lost access (and disabled their channel) in the window before the guard tripped: each
   * to re-enable and run again once the guard clears. `redriven` removes one once done.
   */
  async redrives(platform: Platform): Promise<{ member: string; jobId: string; channel: ChannelRef }[]> {
    const members = await this.redis.smembers(this.key(platform, 'redrive'));
    return members.map((member) => {
      const [, jobId, field] = member.split(SEP);
      const [p, workspaceId, channelId] = JSON.parse(field!) as string[];
      return {
        member,
        jobId: jobId!,
        channel: { platform: p as Platform, workspaceId: workspaceId!, channelId: channelId! },
      };
    });
  }

  async redriven(platform: Platform, member: string): Promise<void> {
    await this.redis.srem(this.key(platform, 'redrive'), member);
  }
}
