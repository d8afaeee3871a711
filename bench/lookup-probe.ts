// Measures `/psf` lookup latency (p50/p99 of CommandCore.handle) on the 733-post PSF archive, with the
// memory store and with Redis (127.0.0.1:6379, or REDIS_URL passed as the first argument).
// Run: node bin/run-ts.js bench/lookup-probe.ts [redis://host:port]
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { CommandCore } from '../src/commands/command-core.js';
import type { CommandContext, CommandRequest } from '../src/commands/types.js';
import { MemoryFeedStateStore } from '../src/feeds/memory-feed-state-store.js';
import { parseFeed } from '../src/feeds/parse.js';
import type { Post } from '../src/posts/post.js';
import { PostIndex } from '../src/search/post-index.js';
import { MemoryPostStore } from '../src/store/memory-post-store.js';
import type { PostStore } from '../src/store/post-store.js';
import { RedisPostStore } from '../src/store/redis-post-store.js';
import { MemorySubscriptionStore } from '../src/subscriptions/memory-subscription-store.js';

const ARCHIVE = new URL('../../shared/fixtures/feeds/psf-archive/', import.meta.url);
const RUNS = 500;
const CONTEXT: CommandContext = {
  platform: 'console',
  workspaceId: 'local',
  channelId: 'bench',
  userId: 'bench',
  canManage: false,
};
const REQUESTS: Record<string, CommandRequest> = {
  'latest 5': { name: 'latest', count: 5, share: false },
  'tag grants 10': { name: 'tag', tag: 'grants', count: 10, share: false },
  'tag grnts (suggestions)': { name: 'tag', tag: 'grnts', count: 5, share: false },
  'search python packaging': { name: 'search', query: 'python packaging', share: false },
  'search serach pycn': { name: 'search', query: 'serach pycn', share: false },
};

async function loadArchive(): Promise<Post[]> {
  const pages = await Promise.all(
    [1, 151, 301, 451, 601].map(
      async (start) =>
        (await parseFeed(await readFile(new URL(`start-index-${start}.xml`, ARCHIVE), 'utf8'), 'psf')).posts,
    ),
  );
  return pages.flat();
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function probe(label: string, posts: PostStore): Promise<void> {
  let start = performance.now();
  const index = PostIndex.build(await posts.all());
  console.log(
    `${label}: index built from the store in ${(performance.now() - start).toFixed(1)} ms (${index.size} posts)`,
  );
  const page = (await posts.latest(25)).map((post) => ({ ...post, summary: `${post.summary} (edited)` }));
  start = performance.now();
  index.upsert(page);
  console.log(`  upsert of a 25-post poll page: ${(performance.now() - start).toFixed(2)} ms`);
  const core = new CommandCore({
    posts,
    index,
    subscriptions: new MemorySubscriptionStore(),
    feedStates: new MemoryFeedStateStore(),
    queues: { counts: async () => ({}) },
    feeds: [{ name: 'psf', url: 'bench' }],
    pollIntervalMs: 300_000,
  });
  for (const [name, request] of Object.entries(REQUESTS)) {
    for (let i = 0; i < 20; i += 1) await core.handle(request, CONTEXT);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      start = performance.now();
      const reply = await core.handle(request, CONTEXT);
      times.push(performance.now() - start);
      if (reply.kind === 'error') throw new Error(`${name}: ${reply.message}`);
    }
    times.sort((a, b) => a - b);
    console.log(
      `  ${name.padEnd(26)} p50 ${percentile(times, 50).toFixed(3)} ms  p99 ${percentile(times, 99).toFixed(3)} ms  (${RUNS} runs)`,
    );
  }
}

const archive = await loadArchive();
const memory = new MemoryPostStore();
await memory.save(archive);
await probe('memory store', memory);

const redis = new Redis(process.argv[2] ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: 1,
  lazyConnect: true,
});
const prefix = `bench-lookup-${randomUUID().slice(0, 8)}`;
try {
  await redis.connect();
  const store = new RedisPostStore(redis, prefix);
  const start = performance.now();
  await store.save(archive);
  console.log(`redis store: saved ${archive.length} posts in ${(performance.now() - start).toFixed(1)} ms`);
  await probe('redis store', store);
} catch (error) {
  console.log(`redis store: skipped (${(error as Error).message})`);
} finally {
  const keys = redis.status === 'ready' ? await redis.keys(`${prefix}:*`) : [];
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}
