import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atomWithEntries, deletePrefix, entryTitle, REDIS_URL, uniquePrefix } from '../../helpers/cli.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';
import { BotProcesses, httpGet, occurrences, waitFor, type BotProcess } from '../../helpers/processes.js';

// Scale-out roles as separate processes on one Redis prefix (DESIGN §8): a poller, two workers and a bot.
// Each new post is announced once in total; a second poller does not add polls.

const ATOM = readFixture(FIXTURES.bloggerAtom);
const PATH = '/blog/feeds/posts/default';
const INTERVAL_MS = 1_000;
const prefix = uniquePrefix('runtime-roles');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const bots = new BotProcesses();
let server: FeedServer;
let poller: BotProcess;
let workers: BotProcess[];
let bot: BotProcess;

const env = () => ({ REDIS_PREFIX: prefix, PSF_FEEDS: `psf=${server.url(PATH)}`, POLL_INTERVAL: '1s' });
const feedRequests = () => server.requests.filter((request) => request.path === PATH).length;
const polls = (process: BotProcess) => process.logs().filter((line) => line.msg === 'polled');
const workerOutput = () => workers.map((worker) => worker.stdout()).join('');
const everything = () =>
  [poller, ...workers, bot].map((p) => `--- ${p.name}\n${p.stdout()}${p.stderr()}`).join('\n');

beforeAll(async () => {
  server = await startFeedServer({ [PATH]: { kind: 'body', body: ATOM, etag: '"v1"' } });
  [poller, bot, ...workers] = await Promise.all([
    bots.start('poller', 'poller', env()),
    bots.start('bot', 'bot', env()),
    bots.start('worker-1', 'worker', env()),
    bots.start('worker-2', 'worker', env()),
  ]);
});

afterAll(async () => {
  await bots.killAll();
  await server.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

describe('poller, two workers and a bot as separate processes', () => {
  it('each process is alive and ready on its own port', async () => {
    const all = [poller, bot, ...workers];
    expect(new Set(all.map((p) => p.port)).size).toBe(all.length);
    for (const p of all) {
      expect((await httpGet(p, '/healthz')).status, p.name).toBe(200);
      const ready = await httpGet(p, '/readyz');
      expect(ready.status, `${p.name}: ${ready.text}`).toBe(200);
    }
    expect(JSON.parse((await httpGet(poller, '/readyz')).text).checks).toHaveProperty('poller', 'ok');
    expect(JSON.parse((await httpGet(workers[0]!, '/readyz')).text).checks).toHaveProperty('workers', 'ok');
  });

  it('announces each new post exactly once across both workers, and nowhere else', async () => {
    await waitFor(() => polls(poller).length > 0, 'the first poll', 20_000, everything);
    expect(polls(poller)[0]).toMatchObject({ status: 200, seeded: 25, new: 0 });

    const now = Date.now();
    server.route(PATH, {
      kind: 'body',
      body: atomWithEntries(ATOM, [
        { n: 2, publishedAt: new Date(now) },
        { n: 1, publishedAt: new Date(now - 60_000) },
      ]),
      etag: '"v2"',
    });
    const titles = [entryTitle(1), entryTitle(2)];
    await waitFor(
      () => titles.every((title) => workerOutput().includes(`📣 ${title}`)),
      'both announcements',
      20_000,
      everything,
    );
    const seen = polls(poller).length;
    await waitFor(() => polls(poller).length >= seen + 3, 'three more polls', 20_000, everything);
    for (const title of titles) expect(occurrences(workerOutput(), `📣 ${title}`), title).toBe(1);
    expect(occurrences(workerOutput(), '📣 ')).toBe(2);
    expect(poller.stdout()).not.toContain('📣');
    expect(bot.stdout()).not.toContain('📣');
  });

  it('polls the feed once per interval even with a second poller running', async () => {
    const second = await bots.start('poller-2', 'poller', env());
    const before = feedRequests();
    const start = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 4.5 * INTERVAL_MS));
    const requests = feedRequests() - before;
    const intervals = (Date.now() - start) / INTERVAL_MS;
    expect(requests, everything()).toBeGreaterThanOrEqual(2);
    // One scheduled poll per interval slot the window touches, plus one due just before it and run late;
    // two independent schedules would make about twice as many.
    expect(requests, `${requests} polls in ${intervals.toFixed(1)} intervals`).toBeLessThanOrEqual(
      Math.ceil(intervals) + 1,
    );
    expect((await second.stop()).code).toBe(0);
  });

  it('every role stops on SIGTERM (the bot on SIGINT) with exit status 0', async () => {
    const exits = await Promise.all([
      bot.stop('SIGINT'),
      ...[poller, ...workers].map((p) => p.stop('SIGTERM')),
    ]);
    for (const exit of exits) expect(exit, everything()).toEqual({ code: 0, signal: null });
  });
});
