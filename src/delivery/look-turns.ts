import type { RedisClient } from '../store/redis-client.js';

/**
 * One look at a time per workspace, taken in turn: Slack gives apps outside the Marketplace one history read
 * a minute per workspace (PLATFORM-NOTES §9.1), so looks there queue up first come, first served, and a look
 * that needs another page goes to the back of the line. No channel can starve the others, and a look that
 * needs many pages gets one page per round. Shared by every worker process.
 */
export interface LookTurns {
  /**
   * Joins the workspace's line (once) and says where `ticket` stands: 0 when it may read now, else how many
   * looks are ahead of it. A ticket not seen for `staleMs` (its job ended or its worker died) loses its place.
   */
  take(workspace: string, ticket: string): Promise<number>;
  /** The ticket read a page: leaves the line, or with `again` goes to its back for its next page. */
  release(workspace: string, ticket: string, again: boolean): Promise<void>;
}

/**
 * How long a ticket keeps its place without asking again. A look waiting its turn asks every few seconds, the
 * look at the head after each `Retry-After` (a minute under Slack's tightest limit); a job that ended some
 * other way (its subscription removed while it waited) holds the line no longer than this. A look dropped by
 * mistake only queues up again at the back.
 */
export const TURN_STALE_MS = 2 * 60_000;

/** An idle workspace's line is forgotten after a day. */
const LINE_TTL_MS = 24 * 3_600_000;

// Redis's own clock, so every worker process agrees. KEYS[1]: the line (ticket -> arrival number), KEYS[2]:
// ticket -> when it last asked, KEYS[3]: the arrival counter. Tickets at the head that stopped asking are
// dropped, so a look whose job is gone never blocks the line.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[3]), ARGV[1])
end
redis.call('HSET', KEYS[2], ARGV[1], tostring(now))
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if head == ARGV[1] then break end
  local seen = tonumber(redis.call('HGET', KEYS[2], head) or '0')
  if now - seen <= tonumber(ARGV[2]) then break end
  redis.call('ZREM', KEYS[1], head)
  redis.call('HDEL', KEYS[2], head)
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return redis.call('ZRANK', KEYS[1], ARGV[1])`;

const RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] == '1' then
  redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[3]), ARGV[1])
else
  redis.call('HDEL', KEYS[2], ARGV[1])
end
return 1`;

/** Each workspace's line in Redis: `${prefix}:look-turns:<workspace>` and `…:seen`. */
export class RedisLookTurns implements LookTurns {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly staleMs = TURN_STALE_MS,
  ) {}

  async take(workspace: string, ticket: string): Promise<number> {
    const keys = this.keys(workspace);
    return Number(await this.redis.eval(TAKE, 3, ...keys, ticket, String(this.staleMs), String(LINE_TTL_MS)));
  }

  async release(workspace: string, ticket: string, again: boolean): Promise<void> {
    await this.redis.eval(RELEASE, 3, ...this.keys(workspace), ticket, again ? '1' : '0');
  }

  private keys(workspace: string): [string, string, string] {
    const line = `${this.prefix}:look-turns:${workspace}`;
    return [line, `${line}:seen`, `${this.prefix}:look-turns-counter`];
  }
}
