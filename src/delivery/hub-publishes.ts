import type { RedisClient } from '../store/redis-client.js';

/**
 * Discord lets an announcement channel publish (crosspost) about 10 messages an hour. Discord's docs give no
 * number; it is what bot authors report (PLATFORM-NOTES §9.4, MonitoRSS #184), so the bot stays at or under it.
 */
export const HUB_PUBLISHES_PER_HOUR = 10;
export const HUB_WINDOW_MS = 3_600_000;

/** A waiting post that has not asked again for this long after its wake-up is gone (its job ended): not counted. */
const WAITING_STALE_MS = 10 * 60_000;

/** What is known of one hub channel, for `status` and `doctor`. */
export interface HubInfo {
  feed: string;
  /** The server the channel is in, as Discord answered `GET /channels/{id}`. */
  serverId?: string;
  /** Why nothing can be posted or published there (not an announcement channel, lost access); absent: fine. */
  problem?: string;
  checkedAt: string;
}

/** One hub's publishing in the last hour: how many went out, how many posts wait, when the next may go. */
export interface HubBacklog {
  published: number;
  waiting: number;
  /** When the oldest publish of the window leaves it (null: a slot is free now). */
  nextAt: string | null;
  /** Messages posted in the hub whose publish failed every attempt (`deliveries retry` finishes them). */
  unpublished: number;
}

/** A publish slot: taken (also when this post took it before), or how long until one frees. */
export type HubSlot = { taken: true } | { taken: false; waitMs: number };

/**
 * The publish window of each hub, shared by every worker process: one sorted set per hub of the posts that took
 * a slot (score: when), and one of the posts waiting for a slot (score: when they ask again).
 */
export interface HubPublishes {
  /** Takes a slot of the rolling hour for `post` in `hubId`; the same post asking again keeps its slot. */
  take(hubId: string, post: string, now: Date): Promise<HubSlot>;
  backlog(hubId: string, now: Date): Promise<HubBacklog>;
  /** A post's publish failed its last attempt (`failed`), or went out (`!failed`). */
  unpublished(hubId: string, post: string, failed: boolean): Promise<void>;
  /** Records what `GET /channels/{id}` said of the hub (or what went wrong publishing there). */
  note(hubId: string, info: HubInfo): Promise<void>;
  /** Every hub the workers have seen, by channel id. */
  hubs(): Promise<Record<string, HubInfo>>;
}

/**
 * Atomically: forget slots older than the window; a post that holds a slot keeps it; a free slot is taken (and
 * the post stops waiting); else the post waits until the oldest slot leaves the window (and is counted waiting).
 * KEYS: slots, waiting. ARGV: now, window, limit, post. Returns 0 (taken) or the wait in ms.
 */
const TAKE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then
  redis.call('ZREM', KEYS[2], ARGV[4])
  return 0
end
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('ZREM', KEYS[2], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window * 2)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = math.max(1, tonumber(oldest[2]) + window - now)
redis.call('ZADD', KEYS[2], now + wait, ARGV[4])
redis.call('PEXPIRE', KEYS[2], window * 24)
return wait`;

/** The hub publish windows in Redis: `${prefix}:hub-slots:<id>`, `${prefix}:hub-waiting:<id>`, `${prefix}:hubs`. */
export class RedisHubPublishes implements HubPublishes {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly limit = HUB_PUBLISHES_PER_HOUR,
    private readonly windowMs = HUB_WINDOW_MS,
  ) {}

  async take(hubId: string, post: string, now: Date): Promise<HubSlot> {
    const wait = Number(
      await this.redis.eval(
        TAKE,
        2,
        `${this.prefix}:hub-slots:${hubId}`,
        `${this.prefix}:hub-waiting:${hubId}`,
        now.getTime(),
        this.windowMs,
        this.limit,
        post,
      ),
    );
    return wait <= 0 ? { taken: true } : { taken: false, waitMs: wait };
  }

  async backlog(hubId: string, now: Date): Promise<HubBacklog> {
    const at = now.getTime();
    const slots = `${this.prefix}:hub-slots:${hubId}`;
    const [[, published], [, waiting], [, oldest], [, unpublished]] = (await this.redis
      .multi()
      .zcount(slots, at - this.windowMs + 1, '+inf')
      .zcount(`${this.prefix}:hub-waiting:${hubId}`, at - WAITING_STALE_MS, '+inf')
      .zrangebyscore(slots, at - this.windowMs + 1, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
      .scard(`${this.prefix}:hub-unpublished:${hubId}`)
      .exec()) as [[unknown, number], [unknown, number], [unknown, string[]], [unknown, number]];
    const full = published >= this.limit && oldest.length === 2;
    return {
      published,
      waiting,
      nextAt: full ? new Date(Number(oldest[1]) + this.windowMs).toISOString() : null,
      unpublished,
    };
  }

  async unpublished(hubId: string, post: string, failed: boolean): Promise<void> {
    const key = `${this.prefix}:hub-unpublished:${hubId}`;
    if (failed) await this.redis.sadd(key, post);
    else await this.redis.srem(key, post);
  }

  async note(hubId: string, info: HubInfo): Promise<void> {
    await this.redis.hset(`${this.prefix}:hubs`, hubId, JSON.stringify(info));
  }

  async hubs(): Promise<Record<string, HubInfo>> {
    const all = await this.redis.hgetall(`${this.prefix}:hubs`);
    const known: Record<string, HubInfo> = {};
    for (const [id, text] of Object.entries(all)) {
      try {
        known[id] = JSON.parse(text) as HubInfo;
      } catch {
        // A value this version cannot read is left out of `status`, not fatal to it.
      }
    }
    return known;
  }
}

/** A hub's state in one line for `status`, or null when there is nothing to say (caught up, no problem). */
export function hubStatusLine(
  hubId: string,
  info: HubInfo,
  backlog: HubBacklog,
  now: Date,
  duration: (ms: number) => string,
): string | null {
  const name = `Hub channel ${hubId} (feed ${info.feed})`;
  if (info.problem) return `${name}: nothing is posted there: ${info.problem}`;
  const parts: string[] = [];
  if (backlog.waiting > 0) {
    const next = backlog.nextAt
      ? ` the next can go out in ${duration(Math.max(0, Date.parse(backlog.nextAt) - now.getTime()))} (${backlog.nextAt})`
      : ' the next can go out now';
    parts.push(
      `${name} is behind: ${posts(backlog.waiting)} wait to be published ` +
        `(${backlog.published} published in the last hour; Discord allows about ${HUB_PUBLISHES_PER_HOUR} an hour per announcement channel);${next}.`,
    );
  }
  if (backlog.unpublished > 0)
    parts.push(
      `${parts.length > 0 ? 'It also has' : `${name}:`} ${posts(backlog.unpublished)} posted but not published to its followers (every attempt failed); \`psf-bot deliveries retry\` finishes them.`,
    );
  return parts.length > 0 ? parts.join(' ') : null;
}

function posts(count: number): string {
  return `${count} post${count === 1 ? '' : 's'}`;
}

/** The hub publish windows in memory, for tests and single-process runs. */
export class MemoryHubPublishes implements HubPublishes {
  private readonly slots = new Map<string, Map<string, number>>();
  private readonly waiting = new Map<string, Map<string, number>>();
  private readonly failed = new Map<string, Set<string>>();
  private readonly known: Record<string, HubInfo> = {};

  constructor(
    private readonly limit = HUB_PUBLISHES_PER_HOUR,
    private readonly windowMs = HUB_WINDOW_MS,
  ) {}

  async take(hubId: string, post: string, now: Date): Promise<HubSlot> {
    const at = now.getTime();
    const slots = this.of(this.slots, hubId);
    for (const [taken, when] of slots) if (when <= at - this.windowMs) slots.delete(taken);
    const waiting = this.of(this.waiting, hubId);
    if (slots.has(post) || slots.size < this.limit) {
      if (!slots.has(post)) slots.set(post, at);
      waiting.delete(post);
      return { taken: true };
    }
    const wait = Math.max(1, Math.min(...slots.values()) + this.windowMs - at);
    waiting.set(post, at + wait);
    return { taken: false, waitMs: wait };
  }

  async backlog(hubId: string, now: Date): Promise<HubBacklog> {
    const at = now.getTime();
    const recent = [...this.of(this.slots, hubId).values()].filter((when) => when > at - this.windowMs);
    const waiting = [...this.of(this.waiting, hubId).values()].filter(
      (when) => when >= at - WAITING_STALE_MS,
    );
    const full = recent.length >= this.limit;
    return {
      published: recent.length,
      waiting: waiting.length,
      nextAt: full ? new Date(Math.min(...recent) + this.windowMs).toISOString() : null,
      unpublished: this.failed.get(hubId)?.size ?? 0,
    };
  }

  async unpublished(hubId: string, post: string, failed: boolean): Promise<void> {
    const set = this.failed.get(hubId) ?? new Set<string>();
    this.failed.set(hubId, set);
    if (failed) set.add(post);
    else set.delete(post);
  }

  async note(hubId: string, info: HubInfo): Promise<void> {
    this.known[hubId] = info;
  }

  async hubs(): Promise<Record<string, HubInfo>> {
    return { ...this.known };
  }

  private of(maps: Map<string, Map<string, number>>, hubId: string): Map<string, number> {
    const found = maps.get(hubId) ?? new Map<string, number>();
    maps.set(hubId, found);
    return found;
  }
}
