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
  /** Why the last probe failed (e.g. the token is another bot's), for `status`. */
  probe: z.string().optional(),
});
export type GuardTrip = z.infer<typeof guardTripSchema>;

/**
 * What to do with one permanent failure. On hold, `earlier`: the channels that lost access in the window
 * before the guard tripped (disabled, now suspects to confirm). `held`: the scope is not paused, but this
 * channel is a suspect (or shares its server with one) until the platform confirms it: neither disabled
 * nor sent to meanwhile.
 */
export type GuardVerdict =
  | { action: 'disable' }
  | { action: 'hold'; trip: GuardTrip; justTripped: boolean; earlier: ChannelRef[] }
  | { action: 'held' };

/** Whether a delivery may go ahead: `held` (its channel awaits the platform's word), `paused`, or `clear`. */
export type GuardAdmission = 'held' | 'paused' | 'clear';

/** What the platform said about the suspects of one scope (see `RedisDisableGuard.settle`). */
export interface GuardJudgement {
  /** Confirmed lost (and disabled): their re-drives are dropped. */
  lost: readonly ChannelRef[];
  /** Shown reachable (re-enabled): taken at their word for a while, their jobs re-driven. */
  reachable: readonly ChannelRef[];
  /** Released unasked (a platform that cannot be asked): re-driven, without the reachable mark. */
  released?: readonly ChannelRef[];
  /** The platform's answer proved nothing: they stay held, asked again next round. */
  unknown: readonly ChannelRef[];
}

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
// separator, server prefix (the channel field up to its channel id).
// A suspect's answer, or that of another channel of a suspect's server (a server that removed the bot answers
// on every channel), is held with the suspects without counting: the same server never trips the guard twice.
// Otherwise counts the lost-access answer, and trips when they are too many of the window's sends. Every
// channel whose answer the guard holds becomes a suspect (field → code), held until the platform confirms or
// clears it (the scope itself resumes as soon as its token works). The jobs failed in the window, and the jobs skipped meanwhile because those channels were disabled,
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
if redis.call('HEXISTS', KEYS[6], ARGV[8]) == 1 then
  redis.call('HSET', KEYS[6], ARGV[8], ARGV[9])
  return {'suspect'}
end
local reachable = redis.call('ZSCORE', KEYS[7], ARGV[8])
if reachable and tonumber(reachable) >= now - tonumber(ARGV[10]) then return {'confirmed'} end
if redis.call('HLEN', KEYS[6]) > 0 then
  for _, field in ipairs(redis.call('HKEYS', KEYS[6])) do
    if string.sub(field, 1, string.len(ARGV[12])) == ARGV[12] then
      redis.call('HSET', KEYS[6], ARGV[8], ARGV[9])
      return {'suspect'}
    end
  end
end
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

// KEYS: suspects hash, re-drive set, trip key. ARGV: channel field, re-drive member.
// A job for a held channel is noted for re-drive in the same step that finds it held, so a confirmation
// settling the channel at that moment either drops the note (lost) or re-drives it (cleared).
const ADMIT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('SADD', KEYS[2], ARGV[2])
  return 'held'
end
if redis.call('EXISTS', KEYS[3]) == 1 then return 'paused' end
return 'clear'`;

// KEYS: skipped zset, trip key, suspects hash, re-drive set. ARGV: now, window, member, channel field.
// In one step with the trip, which moves the window's skips of the channels it holds to the re-drive set: a
// note written just after that move would sit in the window unread, and the job would be skipped for good.
const SKIPPED = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 'paused' end
if redis.call('HEXISTS', KEYS[3], ARGV[4]) == 1 then
  redis.call('SADD', KEYS[4], ARGV[3])
  return 'held'
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 'noted'`;

/** Lua: the channel field of a lost-access or skip entry (time, job id, field[, code]). */
const CHANNEL_OF = `
local function channelOf(member, sep)
  local first = string.find(member, sep, 1, true)
  local second = string.find(member, sep, first + 1, true)
  local third = string.find(member, sep, second + 1, true)
  if third then return string.sub(member, second + 1, third - 1) end
  return string.sub(member, second + 1)
end`;

// KEYS: suspects hash, re-drive set, reachable zset, trip key, tripped scopes set.
// ARGV: now, reachable ms, separator, scope, lost fields (JSON), reachable fields, released fields.
// In one step, so no job can note itself for re-drive between the verdict and the drop of a lost channel's
// re-drives (that note would re-enable a channel the platform confirmed lost).
const SETTLE = `${CHANNEL_OF}
local now = tonumber(ARGV[1])
local lost, reachable, released = cjson.decode(ARGV[5]), cjson.decode(ARGV[6]), cjson.decode(ARGV[7])
local gone, anyGone = {}, false
for _, field in ipairs(lost) do
  redis.call('HDEL', KEYS[1], field)
  gone[field] = true
  anyGone = true
end
for _, field in ipairs(released) do redis.call('HDEL', KEYS[1], field) end
for _, field in ipairs(reachable) do
  redis.call('HDEL', KEYS[1], field)
  redis.call('ZADD', KEYS[3], now, field)
end
if #reachable > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[2]))
  redis.call('PEXPIRE', KEYS[3], ARGV[2])
end
if anyGone then
  for _, member in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    if gone[channelOf(member, ARGV[3])] then redis.call('SREM', KEYS[2], member) end
  end
end
if redis.call('HLEN', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[4]) == 0 then
  redis.call('SREM', KEYS[5], ARGV[4])
end
return redis.call('HLEN', KEYS[1])`;

// KEYS: trip key, suspects hash, tripped scopes set. ARGV: scope. The scope stays listed while it holds suspects.
const CLEAR = `
redis.call('DEL', KEYS[1])
if redis.call('HLEN', KEYS[2]) == 0 then redis.call('SREM', KEYS[3], ARGV[1]) end`;

// KEYS: trip key. ARGV: why the last probe failed. Only while the trip stands (a cleared one stays cleared).
const PROBED = `
local trip = redis.call('GET', KEYS[1])
if not trip then return 0 end
local decoded = cjson.decode(trip)
decoded.probe = ARGV[1]
redis.call('SET', KEYS[1], cjson.encode(decoded))
return 1`;

// KEYS: re-drive set, trip key, suspects hash. ARGV: member, channel field.
const REDRIVABLE = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then return 0 end
return 1`;

/** A channel whose lost-access answer the guard held, with the platform's code, to confirm before disabling. */
export interface Suspect {
  channel: ChannelRef;
  code: string;
}

/** The start of the `channelField` of every channel of the channel's server or workspace. */
export function serverPrefix(channel: Pick<ChannelRef, 'platform' | 'workspaceId'>): string {
  return `${JSON.stringify([channel.platform, channel.workspaceId]).slice(0, -1)},`;
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
 * in the window become suspects with the ones held since, and the scope stays paused until `clear` (its token
 * works). The suspects stay held after that, channel by channel (their jobs skipped and noted for re-drive),
 * until the platform confirms or clears each (`settle`).
 * Keys: `${prefix}:guard:<scope>:sends|lost|skipped` (sorted sets of the window), `…:tripped`, `…:suspects`
 * (channels held, with their codes) and `…:reachable` (channels a confirmation found reachable), where the
 * scope is the platform or, on Slack, `slack:<workspace>` (see `guardScope`); `…:<platform>:trips` lists
 * scopes tripped or still holding suspects, and `…:<platform>:redrive` the jobs to run again.
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
      serverPrefix(channel),
    )) as string[];
    if (answer[0] === 'disable' || answer[0] === 'confirmed') return { action: 'disable' };
    if (answer[0] === 'suspect') return { action: 'held' };
    const stored = guardTripSchema.parse(JSON.parse(answer[1]!));
    const earlier = answer.slice(2).map((member) => channelOfField(member.split(SEP)[2]!));
    return { action: 'hold', trip: stored, justTripped: answer[0] === 'tripped', earlier };
  }

  /**
   * Notes a job skipped because its channel's subscription is disabled: should the guard trip over that
   * channel's lost access within the window, the job is re-driven with the channel's failed one. In the same
   * step, `paused`: the scope has tripped meanwhile (the job should wait, not skip); `held`: the channel is
   * held, and the job is listed for re-drive instead.
   */
  async skipped(channel: ChannelRef, jobId: string): Promise<'noted' | 'paused' | 'held'> {
    const scope = guardScope(channel);
    const now = Date.now();
    const field = channelField(channel);
    return (await this.redis.eval(
      SKIPPED,
      4,
      this.key(scope, 'skipped'),
      this.key(scope, 'tripped'),
      this.key(scope, 'suspects'),
      this.key(channel.platform, 'redrive'),
      String(now),
      String(this.policy.windowMs),
      [now, jobId, field].join(SEP),
      field,
    )) as 'noted' | 'paused' | 'held';
  }

  /** The channels whose lost access the guard held while tripped, to confirm with the platform. */
  async suspects(scope: string): Promise<Suspect[]> {
    const fields = await this.redis.hgetall(this.key(scope, 'suspects'));
    return Object.entries(fields).map(([field, code]) => ({ channel: channelOfField(field), code }));
  }

  /**
   * Records what the platform said about the suspects: `lost` channels (now disabled) lose their re-drives;
   * `reachable` ones are taken at their word for a while (`CONFIRMED_REACHABLE_MS`); they and `released`
   * ones stop being held, so their jobs are re-driven; `unknown` ones stay held for the next round. Returns
   * how many suspects the scope still holds.
   */
  async settle(scope: string, judged: GuardJudgement): Promise<number> {
    const platform = scopePlatform(scope);
    const fields = (channels: readonly ChannelRef[] = []) => JSON.stringify(channels.map(channelField));
    const left = await this.redis.eval(
      SETTLE,
      5,
      this.key(scope, 'suspects'),
      this.key(platform, 'redrive'),
      this.key(scope, 'reachable'),
      this.key(scope, 'tripped'),
      this.key(platform, 'trips'),
      String(Date.now()),
      String(CONFIRMED_REACHABLE_MS),
      SEP,
      scope,
      fields(judged.lost),
      fields(judged.reachable),
      fields(judged.released),
    );
    return Number(left);
  }

  /**
   * Whether a delivery to the channel may go ahead now. A held channel's job is noted for re-drive (in the
   * same step) and should be skipped: it runs again once the platform clears the channel.
   */
  async admit(channel: ChannelRef, jobId: string): Promise<GuardAdmission> {
    const scope = guardScope(channel);
    const field = channelField(channel);
    const member = [Date.now(), jobId, field].join(SEP);
    return (await this.redis.eval(
      ADMIT,
      3,
      this.key(scope, 'suspects'),
      this.key(channel.platform, 'redrive'),
      this.key(scope, 'tripped'),
      field,
      member,
    )) as GuardAdmission;
  }

  /** Whether the channel's scope is paused or the channel itself held (a suspect). */
  async holding(channel: ChannelRef): Promise<boolean> {
    const scope = guardScope(channel);
    const [paused, held] = await Promise.all([
      this.redis.exists(this.key(scope, 'tripped')),
      this.redis.hexists(this.key(scope, 'suspects'), channelField(channel)),
    ]);
    return paused === 1 || held === 1;
  }

  /** The scopes of a platform that are not paused but still hold suspects awaiting the platform's word. */
  async heldScopes(platform: Platform): Promise<string[]> {
    const scopes = new Set(await this.redis.smembers(this.key(platform, 'trips')));
    scopes.add(platform);
    const found = await Promise.all(
      [...scopes].sort().map(async (scope) => {
        const [held, paused] = await Promise.all([
          this.redis.hlen(this.key(scope, 'suspects')),
          this.redis.exists(this.key(scope, 'tripped')),
        ]);
        return held > 0 && paused === 0 ? [scope] : [];
      }),
    );
    return found.flat();
  }

  /** Why the scope (`guardScope`: a platform, or one Slack workspace) is paused, or null. */
  async tripped(scope: string): Promise<GuardTrip | null> {
    const value = await this.redis.get(this.key(scope, 'tripped'));
    return value === null ? null : guardTripSchema.parse(JSON.parse(value));
  }

  /**
   * Pauses a scope without a lost-access answer (the token is another bot's: every channel would answer as
   * lost); the probe loop lifts it once the token is the bot's own. Keeps a trip already standing.
   */
  async trip(scope: string, reason: string, workspaceId = ''): Promise<void> {
    const trip: GuardTrip = { reason, at: new Date().toISOString(), workspaceId, probe: reason };
    await this.redis
      .multi()
      .set(this.key(scope, 'tripped'), JSON.stringify(trip), 'NX')
      .sadd(this.key(scopePlatform(scope), 'trips'), scope)
      .exec();
  }

  /** Notes on a standing trip why its last probe failed (shown by `status` and `/readyz`). */
  async probeFailed(scope: string, why: string): Promise<void> {
    await this.redis.eval(PROBED, 1, this.key(scope, 'tripped'), why);
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

  /**
   * Lifts the pause of a scope (a probe showed its token works). Its suspects stay held, channel by channel,
   * until the platform confirms or clears them (`settle`).
   */
  async clear(scope: string): Promise<void> {
    await this.redis.eval(
      CLEAR,
      3,
      this.key(scope, 'tripped'),
      this.key(scope, 'suspects'),
      this.key(scopePlatform(scope), 'trips'),
      scope,
    );
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

  /**
   * Whether a re-drive may run now: still listed (a confirmed loss drops it), its scope not paused and its
   * channel no longer held.
   */
  async redrivable(member: string, channel: ChannelRef): Promise<boolean> {
    const scope = guardScope(channel);
    const answer = await this.redis.eval(
      REDRIVABLE,
      3,
      this.key(channel.platform, 'redrive'),
      this.key(scope, 'tripped'),
      this.key(scope, 'suspects'),
      member,
      channelField(channel),
    );
    return Number(answer) === 1;
  }

  async redriven(platform: Platform, member: string): Promise<void> {
    await this.redis.srem(this.key(platform, 'redrive'), member);
  }
}
