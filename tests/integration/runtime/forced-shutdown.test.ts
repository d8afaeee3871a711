import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atomWithEntries, deletePrefix, REDIS_URL, runCli, uniquePrefix } from '../../helpers/cli.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';
import { BotProcesses, waitFor } from '../../helpers/processes.js';

// Graceful shutdown has a bound (issue 6): a delivery that never finishes (Discord accepting the
// connection and never answering) must not keep a worker from exiting after SHUTDOWN_GRACE.

const ATOM = readFixture(FIXTURES.bloggerAtom);
const PATH = '/blog/feeds/posts/default';
const prefix = uniquePrefix('runtime-forced');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const bots = new BotProcesses();
let feeds: FeedServer;
let discord: Server;
const held: IncomingMessage[] = [];

beforeAll(async () => {
  feeds = await startFeedServer({ [PATH]: { kind: 'body', body: ATOM, etag: '"v1"' } });
  // A Discord that takes every request and answers none.
  discord = createServer((req) => void held.push(req));
  await new Promise<void>((resolve) => discord.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await bots.killAll();
  discord.closeAllConnections();
  await new Promise((resolve) => discord.close(resolve));
  await feeds.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

const env = () => ({
  REDIS_PREFIX: prefix,
  PSF_FEEDS: `psf=${feeds.url(PATH)}`,
  POLL_INTERVAL: '1h',
  DISCORD_TOKEN: 'test-token',
  DISCORD_APPLICATION_ID: '100000000000000001',
  DISCORD_API_URL: `http://127.0.0.1:${(discord.address() as AddressInfo).port}/api`,
  PSF_SUBSCRIPTIONS: 'discord:200000000000000002:300000000000000003',
  SHUTDOWN_GRACE: '1s',
});

describe('SIGTERM while a delivery hangs', () => {
  it('cuts the delivery after SHUTDOWN_GRACE and exits 0', async () => {
    const worker = await bots.start('worker', 'worker', env());
    const seed = await runCli(['poll', '--once', '--json'], env());
    expect(seed.code, seed.stderr).toBe(0);
    feeds.route(PATH, {
      kind: 'body',
      body: atomWithEntries(ATOM, [{ n: 1, publishedAt: new Date() }]),
      etag: '"v2"',
    });
    const poll = await runCli(['poll', '--once', '--json'], env());
    expect(poll.code, poll.stderr).toBe(0);
    await waitFor(
      () => held.some((req) => /\/channels\/\d+\/messages$/.test(req.url ?? '')),
      'a send to Discord',
      20_000,
    );

    const stopping = Date.now();
    const exit = await worker.stop('SIGTERM');
    // The announcer's request timeout is 15 s and each other part gets grace + 5 s: well before either, so the
    // workers were cut at the grace.
    expect(Date.now() - stopping).toBeLessThan(5_000);
    expect(exit, worker.stdout() + worker.stderr()).toEqual({ code: 0, signal: null });
    expect(worker.logs().some((line) => /after the grace period: disconnecting/.test(String(line.msg)))).toBe(
      true,
    );
  });
});
