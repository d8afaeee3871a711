import type { RedisClient } from '../store/redis-client.js';
import type { FeedState, FeedStateStore } from './feed-state.js';
import { emptyFeedState, FeedStateSchema } from './feed-state-schema.js';

/** Feed states in Redis, one JSON value per feed at `<prefix>:feed:<name>:state`. */
export class RedisFeedStateStore implements FeedStateStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(feed: string): string {
    return `${this.prefix}:feed:${feed}:state`;
  }

  async get(feed: string): Promise<FeedState> {
    return decode(feed, await this.redis.get(this.key(feed)));
  }

  async all(feeds: string[]): Promise<FeedState[]> {
    if (feeds.length === 0) return [];
    const values = await this.redis.mget(...feeds.map((feed) => this.key(feed)));
    return feeds.map((feed, i) => decode(feed, values[i] ?? null));
  }

  async save(state: FeedState): Promise<void> {
    await this.redis.set(this.key(state.feed), JSON.stringify(state));
  }
}

/** A missing or unreadable value is a feed never polled: the next poll rewrites it. */
function decode(feed: string, value: string | null): FeedState {
  if (value === null) return emptyFeedState(feed);
  try {
    const parsed = FeedStateSchema.safeParse(JSON.parse(value));
    return parsed.success ? { ...parsed.data, feed } : emptyFeedState(feed);
  } catch {
    return emptyFeedState(feed);
  }
}
