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

/**
 * What to do with one permanent failure. On hold, `earlier`: the channels that lost access in the window
 * before the guard tripped (disabled, now suspects to confirm).
 */
export type GuardVerdict =
  { action: 'disable' } | { action: 'hold'; trip: GuardTrip; justTripped: boolean; earlier: ChannelRef[] };

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

/** Separates the parts of a lost-access entry: time, job id, channel, platform code. */
const SEP = '\u0001';

/**
 * How long a channel that a confirmation found reachable is taken at its word: a lost-access answer from it in
 * this time disables it at once instead of counting toward the guard, so the same channels never trip it again
 * and again (a bot that may read a channel but not send there answers 50013 to every re-drive).
 */
export const CONFIRMED_REACHABLE_MS = 600_000;

// KEYS: sends zset, lost zset, trip key, re-drive set, tripped scopes set, suspects hash, reachable zset,
// skipped zset. ARGV: now, window, share, min, member, trip JSON, scope, channel field, code, reachable ms,
// separator.
// Counts the lost-access answer, and trips when they are too many of the window's sends. Every channel whose
// answer the guard holds becomes a suspect (field → code), to be confirmed with the platform before the guard
// clears. The jobs failed in the window, and the jobs skipped meanwhile because those channels were disabled,
// go to the re-drive set, to run again if the confirmation does not bear the loss out.
const LOST = `
local now = tonumber(ARGV[1])
local from = now - tonumber(ARGV[2])
local sep = ARGV[11]
local function channelOf(member)
  local first = string.find(member, sep, 1, true)
  local second = string.find(member, sep, first + 1, true)
  local third = string.find(member, sep, second + 1, true)
  if third then return string.sub(member, second + 1, third - 1), string.sub(member, third + 1) end
  return string.sub(member, second + 1), ''
end
local tripped = redis.call('GET', KEYS[3])
if tripped then
  redis.call('HSET', KEYS[6], ARGV[8], ARGV[9])
  return {'held', tripped}
end
local reachable = redis.call('ZSCORE', KEYS[7], ARGV[8])
if reachable and tonumber(reachable) >= now - tonumber(ARGV[10]) then return {'confirmed'} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', from)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', from)
redis.call('ZREMRANGEBYSCORE', KEYS[8], '-inf', from)
local sends = redis.call('ZCARD', KEYS[1])
local lost = redis.call('ZCARD', KEYS[2]) + 1
if lost >= tonumber(ARGV[4]) and lost > tonumber(ARGV[3]) * math.max(sends, 1) then
  redis.call('SET', KEYS[3], ARGV[6])
  redis.call('SADD', KEYS[5], ARGV[7])
  redis.call('HSET', KEYS[6], ARGV[8], ARGV[9])
  local earlier = redis.call('ZRANGE', KEYS[2], 0, -1)
  local channels = {}
  for _, member in ipairs(earlier) do
    redis.call('SADD', KEYS[4], member)
    local field, code = channelOf(member)
    channels[field] = true
    redis.call('HSET', KEYS[6], field, code)
  end
  for _, member in ipairs(redis.call('ZRANGE', KEYS[8], 0, -1)) do
    if channels[channelOf(member)] then redis.call('SADD', KEYS[4], member) end
  end
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[8])
  return {'tripped', ARGV[6], unpack(earlier)}
end
redis.call('ZADD', KEYS[2], now, ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return {'disable'}`;

/** A channel whose lost-access answer the guard held, with the platform's code, to confirm before disabling. */
export interface Suspect {
  channel: ChannelRef;
  code: string;
}

/** Parses a `channelField` back into the channel. */
function channelOfField(field: string): ChannelRef {
  const [platform, workspaceId, channelId] = JSON.parse(field) as string[];
  return { platform: platform as Platform, workspaceId: workspaceId!, channelId: channelId! };
}

/**
 * The mass-disable guard (shared by every worker process, in Redis): a subscription is disabled on a lost-access
 * answer unless such answers are suddenly a large share of the platform's sends, which means the bot, its
 * token, a proxy or the config is wrong, not the channels. Then nothing more is disabled, the channels disabled
 * in the window become suspects with the ones held since, and the platform stays paused until `clear`.
 * Keys: `${prefix}:guard:<scope>:sends|lost|skipped` (sorted sets of the window), `…:tripped`, `…:suspects`
 * (channels held while tripped, with their codes) and `…:reachable` (channels a confirmation found reachable),
 * where the scope is the platform or, on Slack, `slack:<workspace>` (see `guardScope`); `…:<platform>:trips`
 * lists tripped scopes and `…:<platform>:redrive` the jobs to run again.
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

  /**
   * Judges one lost-access answer (`code`: the platform's, e.g. `50001`): disable the channel, or hold it
   * because the guard is (now) tripped. A channel a confirmation found reachable a short while ago is
   * disabled at once (`CONFIRMED_REACHABLE_MS`).
   */
  async lost(channel: ChannelRef, reason: string, jobId: string, code = reason): Promise<GuardVerdict> {
    const trip: GuardTrip = { reason, at: new Date().toISOString(), workspaceId: channel.workspaceId };
    const scope = guardScope(channel);
    const field = channelField(channel);
    const answer = (await this.redis.eval(
      LOST,
      8,
      this.key(scope, 'sends'),
      this.key(scope, 'lost'),
      this.key(scope, 'tripped'),
      this.key(channel.platform, 'redrive'),
      this.key(channel.platform, 'trips'),
      this.key(scope, 'suspects'),
      this.key(scope, 'reachable'),
      this.key(scope, 'skipped'),
      String(Date.now()),
      String(this.policy.windowMs),
      String(this.policy.share),
      String(this.policy.min),
      [Date.now(), jobId, field, code].join(SEP),
      JSON.stringify(trip),
      scope,
      field,
      code,
      String(CONFIRMED_REACHABLE_MS),
      SEP,
    )) as string[];
    if (answer[0] === 'disable' || answer[0] === 'confirmed') return { action: 'disable' };
    const stored = guardTripSchema.parse(JSON.parse(answer[1]!));
    const earlier = answer.slice(2).map((member) => channelOfField(member.split(SEP)[2]!));
    return { action: 'hold', trip: stored, justTripped: answer[0] === 'tripped', earlier };
  }

  /**
   * Notes a job skipped because its channel's subscription is disabled: should the guard trip over that
   * channel's lost access within the window, the job is re-driven with the channel's failed one.
   */
  async skipped(channel: ChannelRef, jobId: string): Promise<void> {
    const key = this.key(guardScope(channel), 'skipped');
    const now = Date.now();
    await this.redis
      .multi()
      .zadd(key, now, [now, jobId, channelField(channel)].join(SEP))
      .zremrangebyscore(key, '-inf', now - this.policy.windowMs)
      .pexpire(key, this.policy.windowMs)
      .exec();
  }

  /** The channels whose lost access the guard held while tripped, to confirm with the platform. */
  async suspects(scope: string): Promise<Suspect[]> {
    const fields = await this.redis.hgetall(this.key(scope, 'suspects'));
    return Object.entries(fields).map(([field, code]) => ({ channel: channelOfField(field), code }));
  }

  /**
   * Records what the platform confirmed about the suspects: `lost` channels (now disabled) lose their
   * re-drives; `reachable` ones are taken at their word for a while (`CONFIRMED_REACHABLE_MS`); every one
   * judged stops being a suspect.
   */
  async settle(
    scope: string,
    judged: { lost: readonly ChannelRef[]; reachable: readonly ChannelRef[]; unknown: readonly ChannelRef[] },
  ): Promise<void> {
    const all = [...judged.lost, ...judged.reachable, ...judged.unknown].map(channelField);
    const lost = new Set(judged.lost.map(channelField));
    const platform = scopePlatform(scope);
    const drop = (await this.redrives(platform)).filter(({ channel }) => lost.has(channelField(channel)));
    const now = Date.now();
    const multi = this.redis.multi();
    if (all.length > 0) multi.hdel(this.key(scope, 'suspects'), ...all);
    if (drop.length > 0) multi.srem(this.key(platform, 'redrive'), ...drop.map(({ member }) => member));
    if (judged.reachable.length > 0) {
      const reachable = this.key(scope, 'reachable');
      multi.zadd(reachable, ...judged.reachable.flatMap((channel) => [now, channelField(channel)]));
      multi.zremrangebyscore(reachable, '-inf', now - CONFIRMED_REACHABLE_MS);
      multi.pexpire(reachable, CONFIRMED_REACHABLE_MS);
    }
    await multi.exec();
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

  /** Lifts the pause of a scope (a probe succeeded, or the operator fixed it); its suspects are forgotten. */
  async clear(scope: string): Promise<void> {
    await this.redis
      .multi()
      .del(this.key(scope, 'tripped'), this.key(scope, 'suspects'))
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
      return { member, jobId: jobId!, channel: channelOfField(field!) };
    });
  }

  async redriven(platform: Platform, member: string): Promise<void> {
    await this.redis.srem(this.key(platform, 'redrive'), member);
  }
}
