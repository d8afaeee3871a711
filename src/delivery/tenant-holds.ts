import type { RedisClient } from '../store/redis-client.js';

/**
 * Holds on one tenant (a Slack workspace, a Discord channel) after a 429 about it: its deliveries wait out
 * the hold while every other tenant's keep flowing. Shared by every worker process.
 */
export interface TenantHolds {
  /** Holds `tenant` for at least `ms` from now (a longer hold already there is kept). */
  hold(tenant: string, ms: number): Promise<void>;
  /** Milliseconds left on the tenant's hold; 0 when not held. */
  remaining(tenant: string): Promise<number>;
}

// Keeps the longer of the current and the new hold; Redis's clock, so every process agrees.
const HOLD = `
local left = redis.call('PTTL', KEYS[1])
if left < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 1`;

/** Holds as keys with a time to live: `${prefix}:hold:<tenant>`. */
export class RedisTenantHolds implements TenantHolds {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async hold(tenant: string, ms: number): Promise<void> {
    if (ms <= 0) return;
    await this.redis.eval(HOLD, 1, `${this.prefix}:hold:${tenant}`, String(Math.ceil(ms)));
  }

  async remaining(tenant: string): Promise<number> {
    return Math.max(0, await this.redis.pttl(`${this.prefix}:hold:${tenant}`));
  }
}
