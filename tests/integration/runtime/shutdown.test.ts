import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE } from '../../../jobs/queues.js';
import {
  atomWithEntries,
  deletePrefix,
  entryTitle,
  REDIS_URL,
  runCli,
  uniquePrefix,
} from '../../helpers/cli.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';
import { BotProcesses, waitFor, type BotProcess } from '../../helpers/processes.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

// Graceful shutdown (issue 6): SIGTERM to a worker in the middle of delivering one post to 121 console
// channels; it exits 0, and a new worker finishes the rest: every channel gets the post once.

const ATOM = readFixture(FIXTURES.bloggerAtom);
const PATH = '/blog/feeds/posts/default';
// Console deliveries are limited to 50/s queue-wide, so 120 channels take over two seconds: room to stop.
const CHANNELS = 120;
const prefix = uniquePrefix('runtime-shutdown');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const deliverQueue = new Queue(QUEUE.deliver.console, {
  connection: testRedisOptions(),
  prefix,
});
const bots = new BotProcesses();
let server: FeedServer;

/** `c1`…`c120` declared in PSF_SUBSCRIPTIONS, plus `console`, which start declares for the console platform. */
const channels = [...Array.from({ length: CHANNELS }, (_, i) => `c${i + 1}`), 'console'];

const env = () => ({
  REDIS_PREFIX: prefix,
  PSF_FEEDS: `psf=${server.url(PATH)}`,
  PSF_SUBSCRIPTIONS: channels
    .filter((channel) => channel !== 'console')
    .map((channel) => `console:local:${channel}`)
    .join(','),
  POLL_INTERVAL: '1h',
});

/** How many announcements each channel got in `stdout` (the console announcer heads each with its channel). */
function deliveries(stdout: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of stdout.matchAll(/^\[local\/#([^\]]+)\]\n📣 (.*)$/gm)) {
    expect(match[2]).toBe(entryTitle(1));
    counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
  }
  return counts;
}

const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

beforeAll(async () => {
  server = await startFeedServer({ [PATH]: { kind: 'body', body: ATOM, etag: '"v1"' } });
  const seed = await runCli(['poll', '--once', '--json'], env());
  expect(seed.code, seed.stderr).toBe(0);
});

afterAll(async () => {
  await bots.killAll();
  await deliverQueue.close();
  await server.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

describe('SIGTERM in the middle of deliveries', () => {
  let first: BotProcess;
  let second: BotProcess;

  it('the worker finishes what it holds and exits 0 before delivering everything', async () => {
    first = await bots.start('worker-1', 'worker', env());
    server.route(PATH, {
      kind: 'body',
      body: atomWithEntries(ATOM, [{ n: 1, publishedAt: new Date() }]),
      etag: '"v2"',
    });
    const poll = await runCli(['poll', '--once', '--json'], env());
    expect(poll.code, poll.stderr).toBe(0);

    await waitFor(
      () => total(deliveries(first.stdout())) >= 5,
      'the first deliveries',
      20_000,
      () => first.stdout(),
    );
    const exit = await first.stop('SIGTERM');
    expect(exit, first.stdout() + first.stderr()).toEqual({ code: 0, signal: null });
    const delivered = total(deliveries(first.stdout()));
    expect(delivered).toBeLessThan(channels.length);
    expect(first.logs().some((line) => line.msg === 'stopped')).toBe(true);
  });

  it('a new worker delivers the rest: every channel exactly once, nothing lost, nothing doubled', async () => {
    second = await bots.start('worker-2', 'worker', env());
    const both = () => deliveries(first.stdout() + second.stdout());
    await waitFor(
      () => both().size === channels.length,
      'every channel',
      20_000,
      () => second.stdout(),
    );
    await waitFor(async () => {
      const counts = await deliverQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).every((n) => n === 0);
    }, 'an empty deliver queue');
    const counts = both();
    expect([...counts.keys()].sort()).toEqual([...channels].sort());
    expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(await deliverQueue.getFailedCount()).toBe(0);
    expect(await deliverQueue.getCompletedCount()).toBe(channels.length);
    expect((await second.stop('SIGTERM')).code).toBe(0);
  });
});
