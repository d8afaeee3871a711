import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atomWithEntries, entryTitle } from '../../helpers/cli.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';
import { PrivateRedis } from '../../helpers/private-redis.js';
import { BotProcesses, httpGet, occurrences, waitFor, type BotProcess } from '../../helpers/processes.js';

// Redis loses every key under a running `psf-bot start` (a flush; a restart without persistence or a failover
// to an empty replica look the same). Polling must resume by itself, announce nothing already published, and
// announce what is published afterwards. A private redis-server: the shared one is never flushed.

const ATOM = readFixture(FIXTURES.bloggerAtom);
const PATH = '/blog/feeds/posts/default';
const bots = new BotProcesses();
let redis: PrivateRedis;
let server: FeedServer;
let bot: BotProcess;

const polled = () => bot.logs().filter((line) => line.msg === 'polled');
const context = () => bot.stdout() + bot.stderr();

beforeAll(async () => {
  redis = await PrivateRedis.start();
  server = await startFeedServer({ [PATH]: { kind: 'body', body: ATOM, etag: '"v1"' } });
  bot = await bots.start('all', 'all', {
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'psf-data-loss',
    PSF_FEEDS: `psf=${server.url(PATH)}`,
    POLL_INTERVAL: '1s',
  });
});

afterAll(async () => {
  await bots.killAll();
  await server.close();
  await redis.stop();
});

describe('Redis losing its data under a running bot', () => {
  it('notices, re-creates the poll schedule, announces nothing old and the next new post once', async () => {
    await waitFor(() => polled().length > 0, 'the first poll', 20_000, context);
    expect(polled()[0]).toMatchObject({ seeded: 25, new: 0 });

    await redis.flush();
    await waitFor(
      () => bot.logs().some((line) => line.level === 50 && /Redis lost its data/.test(String(line.msg))),
      'the loss to be noticed',
      20_000,
      context,
    );
    const afterLoss = polled().length;
    await waitFor(() => polled().length > afterLoss, 'polling to resume', 20_000, context);
    expect(bot.stdout()).not.toContain('📣');

    const title = entryTitle(1);
    server.route(PATH, {
      kind: 'body',
      body: atomWithEntries(ATOM, [{ n: 1, publishedAt: new Date() }]),
      etag: '"v2"',
    });
    await waitFor(() => bot.stdout().includes(`📣 ${title}`), 'the new post', 20_000, context);
    const seen = polled().length;
    await waitFor(() => polled().length >= seen + 2, 'two more polls', 20_000, context);
    expect(occurrences(bot.stdout(), '📣 ')).toBe(1);

    const metrics = await httpGet(bot, '/metrics');
    expect(metrics.text).toMatch(/^psf_redis_data_lost_total 1$/m);
    const ready = await httpGet(bot, '/readyz');
    expect(JSON.parse(ready.text)).toMatchObject({ checks: { feeds: 'ok', poller: 'ok' } });
  });
});
