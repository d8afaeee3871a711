import { silentLogger } from '../../../src/logger.js';
import type { AnnouncementSink } from '../../../src/feeds/announcement-sink.js';
import { RedisFeedMemory } from '../../../src/feeds/redis-feed-memory.js';
import { RedisFeedStateStore } from '../../../src/feeds/redis-feed-state-store.js';
import type { PollDeps } from '../../../src/feeds/poller.js';
import type { Post } from '../../../src/posts/post.js';
import { RedisPostStore } from '../../../src/store/redis-post-store.js';
import type { Redis } from 'ioredis';

/** An announcement sink that records what it was given, and can be told to fail. */
export class RecordingSink implements AnnouncementSink {
  readonly batches: Post[][] = [];
  /** Edits queued, one batch per poll that found changes. */
  readonly edits: { post: Post; version: string }[][] = [];
  failWith: Error | null = null;

  async enqueueEdits(posts: { post: Post; version: string }[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.edits.push(posts);
  }

  async enqueue(posts: Post[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.batches.push(posts);
  }

  get ids(): string[] {
    return this.batches.flat().map((post) => post.id);
  }
}

/** Poll dependencies on real Redis under `prefix`, with a clock the test moves. */
export function redisPollDeps(redis: Redis, prefix: string, start: string) {
  const clock = { now: new Date(start) };
  const sink = new RecordingSink();
  const deps: PollDeps = {
    posts: new RedisPostStore(redis, prefix),
    memory: new RedisFeedMemory(redis, prefix),
    states: new RedisFeedStateStore(redis, prefix),
    sink,
    fetchOptions: { timeoutMs: 2_000 },
    maxAgeMs: 7 * 86_400_000,
    now: () => clock.now,
    logger: silentLogger(),
  };
  return { deps, sink, clock };
}

/** A Blogger Atom body without its first `drop` entries (the newest ones): the feed as it was earlier. */
export function withoutNewest(atom: string, drop: number): string {
  const parts = atom.split('<entry>');
  return [parts[0], ...parts.slice(1 + drop)].join('<entry>');
}

/** An RSS body with one more item on top. */
export function withRssItem(rss: string, item: { title: string; link: string; date: string }): string {
  const xml = `<item><title>${item.title}</title><link>${item.link}</link><guid isPermaLink="true">${item.link}</guid><description>Fresh news.</description><pubDate>${item.date}</pubDate></item>`;
  return rss.replace('<item>', `${xml}<item>`);
}
