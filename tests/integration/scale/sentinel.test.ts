import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE } from '../../../jobs/queues.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { atomWithEntries, entryTitle, runCli } from '../../helpers/cli.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';
import { NO_REDIS_SERVER, startSentinelSet } from '../../helpers/redis-topologies.js';
import { BotProcesses, waitFor, type BotProcess } from '../../helpers/processes.js';

// psf-bot on a primary guarded by Sentinel (a primary, a replica and one sentinel, all private, started here
// and torn down after): the primary dies in the middle of a delivery, Sentinel promotes the replica, and
// nothing is lost or sent twice. The shared Redis on 6379 is not used.

const ATOM = readFixture(FIXTURES.bloggerAtom);
const PATH = '/blog/feeds/posts/default';
const TOKEN = 'xoxb-sentinel-test';
const CHANNELS = Array.from({ length: 30 }, (_, i) => `C0S${String(i).padStart(2, '0')}`);
const POSTS = [1, 2, 3];
const bots = new BotProcesses();
let set: Awaited<ReturnType<typeof startSentinelSet>> | undefined;
let fake: FakeSlack | undefined;
let feeds: FeedServer | undefined;

function env(): Record<string, string> {
  return {
    // Only user, password and TLS come from REDIS_URL here; a closed port makes sure 6379 is never used.
    REDIS_URL: 'redis://127.0.0.1:9',
    REDIS_SENTINELS: `127.0.0.1:${set!.sentinel.port}`,
    REDIS_SENTINEL_NAME: set!.name,
    PSF_FEEDS: `psf=${feeds!.url(PATH)}`,
    POLL_INTERVAL: '1s',
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: 'sentinel-signing-secret',
    SLACK_API_URL: fake!.apiUrl,
    PSF_SUBSCRIPTIONS: CHANNELS.map((channel) => `slack:T0SENT:${channel}`).join(','),
    SLACK_WORKSPACE_RATE: '15',
  };
}

beforeAll(async () => {
  if (NO_REDIS_SERVER) return;
  set = await startSentinelSet();
  fake = new FakeSlack();
  await fake.start();
  fake.tokens.set(TOKEN, { teamId: 'T0SENT', botId: 'B0BOT', botUserId: 'U0BOT' });
  for (const channel of CHANNELS) fake.channels.set(channel, { isMember: true });
  feeds = await startFeedServer({ [PATH]: { kind: 'body', body: ATOM, etag: '"v1"' } });
}, 90_000);

afterAll(async () => {
  await bots.killAll();
  await feeds?.close();
  await fake?.stop();
  await set?.stop();
});

describe.skipIf(NO_REDIS_SERVER !== null)(NO_REDIS_SERVER ?? 'psf-bot on a Sentinel-guarded primary', () => {
  let bot: BotProcess;

  it('follows a failover in the middle of a delivery: nothing lost, nothing sent twice', async () => {
    bot = await bots.start('sentinel', 'all', env(), 60_000);
    const context = () => bot.stdout() + bot.stderr();
    await waitFor(
      () => bot.logs().some((line) => line.msg === 'polled'),
      'the first poll (seeding)',
      30_000,
      context,
    );
    feeds!.route(PATH, {
      kind: 'body',
      body: atomWithEntries(
        ATOM,
        POSTS.map((n) => ({ n, publishedAt: new Date(Date.now() - n * 60_000), tags: ['grants'] })),
      ),
      etag: '"v2"',
    });
    // 90 messages at 15 a second in one workspace: about six seconds. The primary dies after the first 20;
    // the sentinel promotes the replica once it has been unreachable for 2 s.
    await waitFor(() => fake!.messages.length >= 20, 'the first deliveries', 30_000, context);
    await set!.primary.kill();
    const sentinel = set!.sentinel.client();
    await waitFor(
      async () => {
        const [, port] = (await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', set!.name)) as string[];
        return Number(port) === set!.replica.port;
      },
      'the replica to be promoted',
      30_000,
    );
    sentinel.disconnect();

    const expected = CHANNELS.length * POSTS.length;
    await waitFor(
      () => fake!.messages.length >= expected,
      `${expected} messages`,
      // A job active on the old primary is retaken only after its 30 s lock expires and the next stalled
      // check (every 30 s) runs: up to a minute before the last messages, more on a loaded machine.
      120_000,
      () => {
        return `${fake!.messages.length} messages so far\n${context()}`;
      },
    );
    // Settled: nothing left to deliver anywhere (read through the sentinel, from the new primary).
    const queue = new Queue(QUEUE.deliver.slack, {
      connection: { sentinels: [{ host: '127.0.0.1', port: set!.sentinel.port }], name: set!.name },
      prefix: 'psf',
    });
    let counts: Record<string, number> = {};
    try {
      // A job that was running when the primary switched is retaken once its lock expires (30 s), and then
      // finds its delivery in the ledger.
      await waitFor(
        async () => {
          counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          return Object.values(counts).every((n) => n === 0);
        },
        'the deliver queue to drain',
        90_000,
        () => `${JSON.stringify(counts)}\n${context()}`,
      );
    } finally {
      await queue.close();
    }
    const sent = fake!.messages.map((message) => {
      const post = POSTS.find((n) => message.text.includes(entryTitle(n)));
      return `${message.channel}/${post}`;
    });
    const wanted = CHANNELS.flatMap((channel) => POSTS.map((n) => `${channel}/${n}`));
    expect([...sent].sort()).toEqual([...wanted].sort());
  }, 270_000);

  it('doctor reports the sentinel and the primary it names', async () => {
    const doctor = await runCli(['doctor'], env());
    expect(doctor.stdout).toMatch(
      new RegExp(
        `redis: reachable +sentinel "${set!.name}" .* \\(sentinel "${set!.name}", primary at 127\\.0\\.0\\.1:${set!.replica.port}\\)`,
      ),
    );
    expect(doctor.stdout).toMatch(/ok +redis: eviction policy +noeviction/);
  }, 60_000);

  it('stops on SIGTERM with exit status 0', async () => {
    const exit = await bot.stop('SIGTERM');
    expect(exit, bot.stdout() + bot.stderr()).toEqual({ code: 0, signal: null });
  }, 60_000);
});
