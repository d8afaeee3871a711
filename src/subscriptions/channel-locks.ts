import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../store/redis-client.js';
import type { ChannelRef } from './subscription-store.js';

/**
 * How long a channel's lock lasts at most. `follow` holds it across one Discord request (15 s timeout, plus at
 * most 5 s waiting for a request slot: adapters/discord/client.ts), so it never runs out under a live holder;
 * a holder that died frees it after this.
 */
export const CHANNEL_LOCK_TTL_MS = 60_000;
/** How long a second command on the same channel waits for the first before answering that it is busy. */
export const CHANNEL_LOCK_WAIT_MS = 25_000;
const RETRY_MS = 50;

/**
 * A short lock on one channel's announcements, shared by every process: `subscribe` and `follow` each check
 * the other's record and write their own while holding it, so two started at the same moment cannot both pass
 * the check (a channel that follows a feed's hub and subscribes to it gets each post twice).
 */
export interface ChannelLocks {
  /** Runs `work` holding the channel's lock; `busy` when another holder kept it for `CHANNEL_LOCK_WAIT_MS`. */
  hold<T>(channel: ChannelRef, work: () => Promise<T>): Promise<{ done: T } | { busy: true }>;
}

/** The lock's name for one channel (JSON keeps ids holding `:` apart). */
function lockName(channel: ChannelRef): string {
  return JSON.stringify([channel.platform, channel.workspaceId, channel.channelId]);
}

/** Takes the lock, waiting for it up to `waitMs`; false when it stayed taken. */
async function acquire(tryOnce: () => Promise<boolean>, waitMs: number): Promise<boolean> {
  const until = Date.now() + waitMs;
  for (;;) {
    if (await tryOnce()) return true;
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS + Math.floor(Math.random() * RETRY_MS)));
  }
}

/** Channel locks of one process (tests, the console). */
export class MemoryChannelLocks implements ChannelLocks {
  private readonly held = new Set<string>();

  constructor(private readonly waitMs = CHANNEL_LOCK_WAIT_MS) {}

  async hold<T>(channel: ChannelRef, work: () => Promise<T>): Promise<{ done: T } | { busy: true }> {
    const name = lockName(channel);
    const taken = await acquire(async () => {
      if (this.held.has(name)) return false;
      this.held.add(name);
      return true;
    }, this.waitMs);
    if (!taken) return { busy: true };
    try {
      return { done: await work() };
    } finally {
      this.held.delete(name);
    }
  }
}

// Frees the lock only while it is still this holder's (an expired lock may belong to someone else by now).
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Channel locks in Redis: one key per locked channel, `${prefix}:channel-lock:<channel>`, set only when absent
 * and expiring after `CHANNEL_LOCK_TTL_MS`; one key per command, so it fits a Redis Cluster as well.
 */
export class RedisChannelLocks implements ChannelLocks {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly waitMs = CHANNEL_LOCK_WAIT_MS,
  ) {}

  async hold<T>(channel: ChannelRef, work: () => Promise<T>): Promise<{ done: T } | { busy: true }> {
    const key = `${this.prefix}:channel-lock:${lockName(channel)}`;
    const token = randomUUID();
    const taken = await acquire(
      async () => (await this.redis.set(key, token, 'PX', CHANNEL_LOCK_TTL_MS, 'NX')) === 'OK',
      this.waitMs,
    );
    if (!taken) return { busy: true };
    try {
      return { done: await work() };
    } finally {
      // Not freed (Redis away): it expires after CHANNEL_LOCK_TTL_MS, and the work's own answer stands.
      await this.redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }
}
