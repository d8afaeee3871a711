import type { PostRef } from '../feeds/feed-memory.js';
import type { RedisClient } from '../store/redis-client.js';
import { postKey } from './identity.js';

/**
 * Numbers each change of a post 1, 2, 3…: a sequence that only grows, so a change back to an earlier content
 * version (v1 → v2 → v1) still gets an edit of its own. The content hash alone cannot say that, since it repeats.
 */
export interface EditSequence {
  next(post: PostRef): Promise<number>;
}

/**
 * Kept 60 days after a post's last change: longer than any finished job is kept (30 days for a failed one), so
 * a counter that expires and starts again at 1 never meets a job id it made before.
 */
const TTL_S = 60 * 24 * 3600;

/** The sequence in Redis: one counter per post, `${prefix}:edit-seq:<postKey>`. */
export class RedisEditSequence implements EditSequence {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async next(post: PostRef): Promise<number> {
    const key = `${this.prefix}:edit-seq:${postKey(post.feed, post.id)}`;
    const replies = await this.redis.multi().incr(key).expire(key, TTL_S).exec();
    const [error, value] = replies?.[0] ?? [new Error('no reply to INCR'), null];
    if (error) throw error;
    return Number(value);
  }
}

/** The sequence in memory, for tests and single-process runs. */
export class MemoryEditSequence implements EditSequence {
  private readonly counters = new Map<string, number>();

  async next(post: PostRef): Promise<number> {
    const key = postKey(post.feed, post.id);
    const value = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, value);
    return value;
  }
}
