// One-off probe of the feed pipeline's cost (not a test): CPU of a 304 poll and of a changed 25-post page,
// and the time to backfill the 733-post archive from a local server. The fake feed host runs in a child
// process so its work is not counted. Run: node bin/run-ts.js bench/feeds-probe.ts
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { backfillFeed } from '../src/feeds/backfill.js';
import { RedisFeedMemory } from '../src/feeds/redis-feed-memory.js';
import { RedisFeedStateStore } from '../src/feeds/redis-feed-state-store.js';
import { pollFeed, type PollDeps } from '../src/feeds/poller.js';
import { silentLogger } from '../src/logger.js';
import { RedisPostStore } from '../src/store/redis-post-store.js';
import { startFeedServer } from '../tests/helpers/feed-server.js';
import { FIXTURES, readFixture } from '../tests/helpers/fixtures.js';

const ATOM = readFixture(FIXTURES.bloggerAtom);

if (process.argv.includes('--serve')) {
  const server = await startFeedServer({
    '/fixed/feeds/posts/default': { kind: 'body', body: ATOM, etag: '"fixed"' },
    '/archive/feeds/posts/default': { kind: 'archive' },
  });
  // Two bodies served in turn: every poll sees a changed page of 25 posts.
  let turn = 0;
  const variants = [ATOM, ATOM.replace('Introducing the PSF', 'Introducing the PSF (edited)')];
  const flip = () => {
    turn += 1;
    server.route('/changing/feeds/posts/default', { kind: 'body', body: variants[turn % 2]! });
  };
  flip();
  process.on('message', (message) => {
    if (message === 'flip') flip();
    process.send?.('flipped');
  });
  process.send?.(server.origin);
} else {
  await probe();
}

async function probe(): Promise<void> {
  const child = fork(fileURLToPath(new URL('../bin/run-ts.js', import.meta.url)), [
    fileURLToPath(import.meta.url),
    '--serve',
  ]);
  const origin = await nextMessage(child);
  const redis = new Redis('redis://127.0.0.1:6379');
  const prefix = `bench-feeds-${randomBytes(4).toString('hex')}`;
  const deps = (sub: string): PollDeps => ({
    posts: new RedisPostStore(redis, `${prefix}:${sub}`),
    memory: new RedisFeedMemory(redis, `${prefix}:${sub}`),
    states: new RedisFeedStateStore(redis, `${prefix}:${sub}`),
    sink: { enqueue: async () => {} },
    fetchOptions: { timeoutMs: 15_000 },
    maxAgeMs: 7 * 86_400_000,
    now: () => new Date('2026-02-13T12:00:00Z'),
    logger: silentLogger(),
  });
  try {
    const fixed = { name: 'psf', url: `${origin}/fixed/feeds/posts/default` };
    const d304 = deps('a');
    await pollFeed(fixed, d304);
    report('304 poll', await measure(50, async () => expectStatus(await pollFeed(fixed, d304), 304)));

    const changing = { name: 'psf', url: `${origin}/changing/feeds/posts/default` };
    const d200 = deps('b');
    await pollFeed(changing, d200);
    report(
      'changed 25-post page',
      await measure(20, async () => {
        child.send('flip');
        await nextMessage(child);
        expectStatus(await pollFeed(changing, d200), 200);
      }),
    );

    for (const run of ['cold', 'again']) {
      const archive = { name: 'psf', url: `${origin}/archive/feeds/posts/default` };
      const started = performance.now();
      const cpu = process.cpuUsage();
      const result = await backfillFeed(archive, deps('c'));
      const used = process.cpuUsage(cpu);
      console.log(
        `backfill (${run}): ${result.pages} pages, ${result.posts} posts, ${(performance.now() - started).toFixed(0)} ms wall, ` +
          `${((used.user + used.system) / 1000).toFixed(0)} ms CPU`,
      );
    }
  } finally {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    child.kill();
  }
}

async function measure(
  runs: number,
  once: () => Promise<void>,
): Promise<{ cpuMs: number; wallMs: number; runs: number }> {
  await once();
  let cpuMicros = 0;
  let wall = 0;
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    await once();
    const used = process.cpuUsage(cpu);
    wall += performance.now() - started;
    cpuMicros += used.user + used.system;
  }
  return { cpuMs: cpuMicros / 1000 / runs, wallMs: wall / runs, runs };
}

function report(
  what: string,
  { cpuMs, wallMs, runs }: { cpuMs: number; wallMs: number; runs: number },
): void {
  console.log(`${what}: ${cpuMs.toFixed(2)} ms CPU, ${wallMs.toFixed(2)} ms wall (mean of ${runs})`);
}

function expectStatus(result: { status: unknown; error?: string }, status: number): void {
  if (result.status !== status)
    throw new Error(`expected ${status}, got ${String(result.status)} ${result.error ?? ''}`);
}

function nextMessage(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => child.once('message', (message) => resolve(String(message))));
}
