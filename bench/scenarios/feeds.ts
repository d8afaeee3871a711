import type { Redis } from 'ioredis';
import { backfillFeed } from '../../src/feeds/backfill.js';
import { pollFeed, type PollDeps, type PollResult } from '../../src/feeds/poller.js';
import { RedisFeedMemory } from '../../src/feeds/redis-feed-memory.js';
import { RedisFeedStateStore } from '../../src/feeds/redis-feed-state-store.js';
import { RedisPostStore } from '../../src/store/redis-post-store.js';
import { figure, type Figure } from '../lib/figures.js';
import type { Peer } from '../lib/peer.js';
import { productLogger } from '../lib/pipeline.js';
import { withPrefix } from '../lib/redis.js';

/** Stores under `prefix:sub`, a sink that drops announcements, and the production fetch limits. */
function pollDeps(redis: Redis, prefix: string): PollDeps {
  return {
    posts: new RedisPostStore(redis, prefix),
    memory: new RedisFeedMemory(redis, prefix),
    states: new RedisFeedStateStore(redis, prefix),
    sink: { enqueue: async () => undefined },
    fetchOptions: { timeoutMs: 15_000, maxBytes: 20 * 1024 * 1024 },
    maxAgeMs: 7 * 86_400_000,
    // The fixtures end in February 2026: "now" just after, so their newest posts count as new.
    now: () => new Date('2026-02-13T12:00:00Z'),
    logger: productLogger(),
  };
}

function expectStatus(result: PollResult, status: number): void {
  if (result.status !== status)
    throw new Error(`expected a ${status} poll, got ${String(result.status)} ${result.error ?? ''}`);
}

/** Mean CPU (user + system, ms) of this process over `runs` calls of `poll`, after one warm-up; `before` is not counted. */
async function cpuPerPoll(
  runs: number,
  poll: () => Promise<void>,
  before: () => Promise<void>,
): Promise<number> {
  await before();
  await poll();
  let micros = 0;
  for (let i = 0; i < runs; i += 1) {
    await before();
    const cpu = process.cpuUsage();
    await poll();
    const used = process.cpuUsage(cpu);
    micros += used.user + used.system;
  }
  return micros / 1000 / runs;
}

/**
 * The poller's CPU per poll (the feed host runs in the peer process, so its work is not counted): a 304, a
 * changed 25-post Blogger page, a changed 150-post page; and the wall time to backfill the 733-post archive.
 */
export async function feedCosts(peer: Peer): Promise<Figure[]> {
  return withPrefix('feeds', async (redis, prefix) => {
    const url = (name: string) => `${peer.urls.feeds}/${name}/feeds/posts/default`;
    const nothing = async () => undefined;
    const fixed = pollDeps(redis, `${prefix}:a`);
    const feed304 = { name: 'psf', url: url('fixed') };
    await pollFeed(feed304, fixed);
    const cpu304 = await cpuPerPoll(
      50,
      async () => expectStatus(await pollFeed(feed304, fixed), 304),
      nothing,
    );

    const changing = pollDeps(redis, `${prefix}:b`);
    const feed25 = { name: 'psf', url: url('changing') };
    const cpuChanged = await cpuPerPoll(
      20,
      async () => expectStatus(await pollFeed(feed25, changing), 200),
      () => peer.flip('changing'),
    );

    const page = pollDeps(redis, `${prefix}:c`);
    const feed150 = { name: 'psf', url: url('page150') };
    const cpu150 = await cpuPerPoll(
      10,
      async () => expectStatus(await pollFeed(feed150, page), 200),
      () => peer.flip('page150'),
    );

    const archive = pollDeps(redis, `${prefix}:d`);
    const started = performance.now();
    const result = await backfillFeed({ name: 'psf', url: url('archive') }, archive);
    const seconds = (performance.now() - started) / 1000;
    return [
      figure('poll_304_cpu_ms', cpu304, 'ms', { digits: 3, note: 'mean of 50' }),
      figure('poll_changed_cpu_ms', cpuChanged, 'ms', {
        digits: 2,
        note: 'changed 25-post page, mean of 20',
      }),
      figure('poll_page150_cpu_ms', cpu150, 'ms', { digits: 2, note: 'changed 150-post page, mean of 10' }),
      figure('backfill_733_seconds', seconds, 's', {
        digits: 2,
        note: `${result.pages} pages, ${result.posts} posts, cold`,
      }),
    ];
  });
}
