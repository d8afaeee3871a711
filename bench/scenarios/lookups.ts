import { CommandCore } from '../../src/commands/command-core.js';
import type { CommandContext, CommandRequest } from '../../src/commands/types.js';
import { RedisFeedStateStore } from '../../src/feeds/redis-feed-state-store.js';
import type { Post } from '../../src/posts/post.js';
import { PostIndex } from '../../src/search/post-index.js';
import type { RedisClient } from '../../src/store/redis-client.js';
import { RedisPostStore } from '../../src/store/redis-post-store.js';
import { RedisSubscriptionStore } from '../../src/subscriptions/redis-subscription-store.js';
import { atMost, figure, percentile, type Figure } from '../lib/figures.js';
import { loadArchive, syntheticPosts } from '../lib/posts.js';
import { withPrefix } from '../lib/redis.js';

export const SYNTHETIC = 50_000;
const ROUNDS = 300;
const WARMUP_ROUNDS = 20;
const SAVE_CHUNK = 2_000;
const CONTEXT: CommandContext = {
  platform: 'console',
  workspaceId: 'local',
  channelId: 'bench',
  userId: 'bench',
  canManage: false,
};

/** `latest`, `tag` and `search` in the shapes users send: counts, a common and a rarer tag, two queries. */
function requests(commonTag: string, rareTag: string): CommandRequest[] {
  return [
    { name: 'latest', count: 5, share: false },
    { name: 'latest', count: 10, share: false },
    { name: 'tag', tag: commonTag, count: 5, share: false },
    { name: 'tag', tag: rareTag, count: 10, share: false },
    { name: 'search', query: 'python packaging', share: false },
    { name: 'search', query: 'pycon grants community', share: false },
  ];
}

/** Builds the production core over a Redis store holding `posts`, as `start` does (index built from the store). */
export async function coreOver(redis: RedisClient, prefix: string, posts: Post[]) {
  const store = new RedisPostStore(redis, prefix);
  for (let start = 0; start < posts.length; start += SAVE_CHUNK)
    await store.save(posts.slice(start, start + SAVE_CHUNK));
  const index = PostIndex.build(await store.all());
  const tags = await store.tags();
  const core = new CommandCore({
    posts: store,
    index,
    subscriptions: new RedisSubscriptionStore(redis, prefix),
    feedStates: new RedisFeedStateStore(redis, prefix),
    queues: { counts: async () => ({}) },
    feeds: [{ name: 'psf', url: 'https://pyfound.blogspot.com/feeds/posts/default' }],
    pollIntervalMs: 300_000,
  });
  const commonTag = tags[0]?.label ?? 'psf';
  const rareTag = tags[Math.floor(tags.length / 2)]?.label ?? commonTag;
  return { core, requests: requests(commonTag, rareTag) };
}

/** Latencies (ms) of `CommandCore.handle`, the request kinds interleaved round after round. */
export async function measure(core: CommandCore, list: CommandRequest[]): Promise<Samples> {
  const samples: number[] = [];
  const byRequest = new Map<string, number[]>();
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round += 1) {
    for (const request of list) {
      const started = performance.now();
      const reply = await core.handle(request, CONTEXT);
      const took = performance.now() - started;
      if (reply.kind === 'error') throw new Error(`${request.name}: ${reply.message}`);
      if (round >= WARMUP_ROUNDS) {
        samples.push(took);
        const label = describe(request);
        byRequest.set(label, [...(byRequest.get(label) ?? []), took]);
      }
    }
  }
  return { all: samples, byRequest };
}

export interface Samples {
  all: number[];
  byRequest: Map<string, number[]>;
}

function describe(request: CommandRequest): string {
  if (request.name === 'latest') return `latest ${request.count}`;
  if (request.name === 'tag') return `tag "${request.tag}" ${request.count}`;
  return request.name === 'search' ? `search "${request.query}"` : request.name;
}

/** Sample size, the p99 of each request kind, and the maximum. */
export function note({ all, byRequest }: Samples): string {
  const kinds = [...byRequest].map(([label, times]) => `${label} ${percentile(times, 99).toFixed(1)}`);
  return `${all.length} lookups; p99 by kind (ms): ${kinds.join(', ')}; max ${Math.max(...all).toFixed(1)} ms`;
}

/** Lookup latency over the 733-post archive and over 50,000 synthetic posts, Redis-backed as in production. */
export async function lookups(): Promise<Figure[]> {
  const archive = await loadArchive();
  const small = await withPrefix('lookup-archive', async (redis, prefix) => {
    const { core, requests: list } = await coreOver(redis, prefix, archive);
    return measure(core, list);
  });
  const large = await withPrefix('lookup-50k', async (redis, prefix) => {
    const { core, requests: list } = await coreOver(redis, prefix, syntheticPosts(SYNTHETIC, archive));
    return measure(core, list);
  });
  return [
    figure('lookup_p50_ms_archive', percentile(small.all, 50), 'ms', { note: note(small) }),
    figure('lookup_p99_ms_archive', percentile(small.all, 99), 'ms', { goal: atMost(5), note: note(small) }),
    figure('lookup_p99_ms_50k', percentile(large.all, 99), 'ms', {
      goal: atMost(20),
      note: `${note(large)}; p50 ${percentile(large.all, 50).toFixed(2)} ms`,
    }),
  ];
}
