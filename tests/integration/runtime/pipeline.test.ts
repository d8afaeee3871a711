import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atomWithEntries, deletePrefix, entryTitle, REDIS_URL, uniquePrefix } from '../../helpers/cli.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';
import { BotProcesses, httpGet, occurrences, waitFor, type BotProcess } from '../../helpers/processes.js';

// The BullMQ pipeline end to end in one `psf-bot start` (role all, console platform): the poll scheduler
// seeds the feed, a newer post goes poll → announce → deliver-console → stdout exactly once.

const ATOM = readFixture(FIXTURES.bloggerAtom);
const PATH = '/blog/feeds/posts/default';
const prefix = uniquePrefix('runtime-pipeline');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const bots = new BotProcesses();
let server: FeedServer;
let bot: BotProcess;

const polled = () => bot.logs().filter((line) => line.msg === 'polled');

beforeAll(async () => {
  server = await startFeedServer({ [PATH]: { kind: 'body', body: ATOM, etag: '"v1"' } });
  bot = await bots.start('all', 'all', {
    REDIS_PREFIX: prefix,
    PSF_FEEDS: `psf=${server.url(PATH)}`,
    POLL_INTERVAL: '1s',
  });
});

afterAll(async () => {
  await bots.killAll();
  await server.close();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

describe('start --role all on the console platform', () => {
  it('seeds on the first poll, then announces a newer post on stdout exactly once', async () => {
    const context = () => bot.stdout() + bot.stderr();
    await waitFor(() => polled().length > 0, 'the first poll', 20_000, context);
    expect(polled()[0]).toMatchObject({ feed: 'psf', status: 200, new: 0, seeded: 25 });
    expect(bot.stdout()).not.toContain('📣');

    const title = entryTitle(1);
    server.route(PATH, {
      kind: 'body',
      body: atomWithEntries(ATOM, [{ n: 1, publishedAt: new Date(), tags: ['grants'] }]),
      etag: '"v2"',
    });
    await waitFor(() => bot.stdout().includes(`📣 ${title}`), 'the announcement', 20_000, context);

    // A few more polls (now 304s) must not announce it again.
    const seen = polled().length;
    await waitFor(() => polled().length >= seen + 3, 'three more polls', 20_000, context);
    expect(occurrences(bot.stdout(), `📣 ${title}`)).toBe(1);
    expect(occurrences(bot.stdout(), '📣 ')).toBe(1);
    expect(occurrences(bot.stdout(), '[local/#console]\n📣 ')).toBe(1);
    expect(
      polled()
        .slice(seen)
        .every((line) => line.status === 304),
    ).toBe(true);
  });

  it('serves /healthz, /readyz and /metrics on the port it logged', async () => {
    expect(bot.port).toBeGreaterThan(0);
    expect((await httpGet(bot, '/healthz')).status).toBe(200);
    const ready = await httpGet(bot, '/readyz');
    expect(ready.status, ready.text).toBe(200);
    expect(JSON.parse(ready.text)).toMatchObject({
      status: 'ready',
      checks: { redis: 'ok', poller: 'ok', workers: 'ok' },
    });
    const metrics = await httpGet(bot, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^psf_polls_total\{[^}]*\} [1-9]/m);
  });

  it('stops on SIGTERM with exit status 0', async () => {
    const exit = await bot.stop('SIGTERM');
    expect(exit, bot.stdout() + bot.stderr()).toEqual({ code: 0, signal: null });
    expect(bot.logs().some((line) => line.msg === 'stopped')).toBe(true);
  });
});
