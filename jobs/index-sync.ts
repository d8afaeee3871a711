import type { RedisClient } from '../src/store/redis-client.js';
import { z } from 'zod';
import type { Logger } from '../src/logger.js';
import type { PostStore } from '../src/store/post-store.js';

/** How many of a feed's newest posts a changed poll can have touched: a Blogger page is 25, a backfill page 150. */
const RECENT_WINDOW = 150;

const messageSchema = z.object({ feed: z.string(), full: z.boolean().default(false) });

/** What keeps a process's in-memory search index current. */
export interface IndexTarget {
  upsert(posts: Awaited<ReturnType<PostStore['all']>>): void;
  rebuild(posts: Awaited<ReturnType<PostStore['all']>>): void;
}

function channel(prefix: string): string {
  return `${prefix}:posts-changed`;
}

/** Tells every bot and web process that a feed's posts changed (after a poll or a backfill stored them). */
export async function announcePostsChanged(
  redis: RedisClient,
  prefix: string,
  feed: string,
  full = false,
): Promise<void> {
  await redis.publish(channel(prefix), JSON.stringify({ feed, full }));
}

/**
 * Keeps `index` current from Redis pub/sub; on every (re)connection it rebuilds from the store, so a message
 * missed while disconnected loses nothing. Returns a function that stops following.
 */
export async function followPostChanges(
  subscriber: RedisClient,
  prefix: string,
  posts: PostStore,
  index: IndexTarget,
  logger: Logger,
): Promise<() => Promise<void>> {
  const rebuild = async () => index.rebuild(await posts.all());
  subscriber.on('message', (name: string, text: string) => {
    if (name !== channel(prefix)) return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = messageSchema.safeParse(json);
    if (!parsed.success) return logger.warn({ text }, 'ignored a malformed posts-changed message');
    const work = parsed.data.full
      ? rebuild()
      : posts.latest(RECENT_WINDOW, parsed.data.feed).then((recent) => index.upsert(recent));
    work.catch((error: unknown) => logger.error({ err: error }, 'could not refresh the search index'));
  });
  subscriber.on('error', (error: Error) => logger.debug({ err: error }, 'index sync connection error'));
  let connectedOnce = false;
  subscriber.on('ready', () => {
    if (!connectedOnce) return void (connectedOnce = true);
    rebuild().catch((error: unknown) => logger.error({ err: error }, 'could not rebuild the search index'));
  });
  if (subscriber.status === 'wait') await subscriber.connect();
  connectedOnce = true;
  await subscriber.subscribe(channel(prefix));
  await rebuild();
  return async () => {
    await subscriber.unsubscribe(channel(prefix)).catch(() => undefined);
    subscriber.disconnect();
  };
}
