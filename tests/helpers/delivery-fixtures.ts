import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Post } from '../../src/posts/post.js';
import type { Subscription } from '../../src/subscriptions/subscription.js';

/** A unique key prefix for one test file. */
export function uniquePrefix(area: string): string {
  return `test-${area}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under `${prefix}:` (never FLUSHDB: other test files share this Redis). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** The i-th test post of a feed, with deterministic fields. */
export function makePost(i: number, overrides: Partial<Post> = {}): Post {
  return {
    id: `tag:blogger.com,1999:blog-1.post-${1000 + i}`,
    feed: 'psf',
    title: `Post number ${i}`,
    url: `https://pyfound.blogspot.com/2025/01/post-${i}.html`,
    author: 'PSF',
    publishedAt: new Date(Date.UTC(2025, 0, 1 + i)).toISOString(),
    updatedAt: null,
    tags: i % 2 === 0 ? ['Grants'] : ['Board of Directors'],
    summary: `Summary of post ${i}.`,
    image: null,
    ...overrides,
  };
}

/** `count` posts, oldest first. */
export function makePosts(count: number): Post[] {
  return Array.from({ length: count }, (_, i) => makePost(i));
}

/** A subscription of channel `c<i>` in workspace `w1`, created an hour ago. */
export function makeSubscription(i: number, overrides: Partial<Subscription> = {}): Subscription {
  return {
    platform: 'console',
    workspaceId: 'w1',
    channelId: `c${i}`,
    feeds: [],
    tags: [],
    options: {},
    createdBy: 'test',
    createdAt: new Date(Date.now() - 3_600_000).toISOString(),
    disabledReason: null,
    disabledAt: null,
    ...overrides,
  };
}

/** Polls `check` until it returns true, or throws after `timeoutMs` with `what` in the message. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
