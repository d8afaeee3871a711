import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverySafety } from '../../../jobs/delivery/safety.js';
import { RedisRequestBudget } from '../../../src/delivery/request-budget.js';
import { RedisChannelNotes } from '../../../src/subscriptions/channel-notes.js';
import { deletePrefix, REDIS_URL, runCli, uniquePrefix } from '../../helpers/cli.js';
import { FIXTURES } from '../../helpers/fixtures.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

// `ask` answers from what Redis holds, not from the asking shell's settings: a feed with posts stored is a
// known feed, and `status` reports the running poller's schedule from its BullMQ job schedulers.

const prefix = uniquePrefix('cli-stored');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
/** The shell asking knows only `psf` and polls every 5 minutes; the bot polled `insider`. */
const shell = { REDIS_PREFIX: prefix, PSF_FEEDS: `psf=${FIXTURES.bloggerAtom}`, POLL_INTERVAL: '5m' };

beforeAll(async () => {
  const polled = await runCli(['poll', '--once', '--json'], {
    REDIS_PREFIX: prefix,
    PSF_FEEDS: `insider=${FIXTURES.insiderRss}`,
  });
  expect(polled.code, polled.stderr).toBe(0);
});

afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

describe('ask answers from what is stored', () => {
  it('knows a feed whose posts are in Redis though this shell does not configure it', async () => {
    const result = await runCli(['ask', 'latest 2 insider', '--json'], shell);
    expect(result.code, result.stderr).toBe(0);
    const reply = JSON.parse(result.stdout) as { kind: string; posts: { feed: string }[] };
    expect(reply.kind).toBe('posts');
    expect(reply.posts.map((post) => post.feed)).toEqual(['insider', 'insider']);
  });

  it('leaves a feed polled once by hand out of help, and names the configured ones', async () => {
    const result = await runCli(['ask', 'help'], shell);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Feeds: psf \(PSF blog\)\.$/m);
    expect(result.stdout).not.toContain('insider');
  });

  it('answers an unknown tag and an unknown post alike: a plain reply, exit 0', async () => {
    const post = await runCli(['ask', 'why zzzz'], shell);
    expect([post.code, post.stdout.trim(), post.stderr]).toEqual([
      0,
      'No post matches “zzzz”. Try its URL or words of its title.',
      '',
    ]);
    const tag = await runCli(['ask', 'tag nosuchtag'], shell);
    expect([tag.code, tag.stderr]).toEqual([0, '']);
  });

  it('says plainly that no poller is running when none is', async () => {
    const result = await runCli(['ask', 'status'], shell);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^No poller is running/m);
    expect(result.stdout).toContain('Feed insider: 50 posts indexed');
  });
});

describe('status with a poller running', () => {
  const connection = testRedisOptions();
  let queue: Queue;
  let worker: Worker;

  beforeAll(async () => {
    // What `start --role poller` registers: a job scheduler per feed, and a worker on the poll queue.
    queue = new Queue('poll', { connection, prefix });
    await queue.upsertJobScheduler(
      'poll-insider',
      { every: 600_000 },
      { name: 'poll', data: { feed: 'insider' } },
    );
    worker = new Worker('poll', async () => ({ skipped: 'test' }), { connection, prefix });
    await worker.waitUntilReady();
  });

  afterAll(async () => {
    await worker.close();
    await queue.close();
  });

  it('names in help the feeds the running poller polls', async () => {
    const result = await runCli(['ask', 'help'], shell);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Feeds: psf \(PSF blog\), insider( \([^)]*\))?\.$/m);
  });

  it("reports the poller's schedule from Redis, not this shell's POLL_INTERVAL", async () => {
    const result = await runCli(['ask', 'status'], shell);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Poller: running \(1 worker\)\./m);
    expect(result.stdout).toMatch(
      /Feed insider: 50 posts indexed; .*; next poll in \d+ minutes? \(every 10 minutes\)\./,
    );
    expect(result.stdout).toContain(
      'Feed psf (PSF blog): 0 posts indexed; never polled successfully; next poll never',
    );
  });
});

describe("the operator's status", () => {
  it('shows every server and workspace: guard pauses with their reason, look notes, channel notes, queue counts', async () => {
    const safety = deliverySafety(redis, prefix);
    const serverB = {
      platform: 'discord' as const,
      workspaceId: '720000000000000001',
      channelId: '720000000000000013',
    };
    for (let i = 0; i < 5; i += 1) await safety.guard.lost(serverB, '50001: Missing Access', `job-${i}`);
    await safety.notes.unavailable(
      { platform: 'slack', workspaceId: 'T0BRAVO', channelId: 'C0BRAVO2' },
      'missing_scope',
    );
    await new RedisChannelNotes(redis, prefix).set(
      { platform: 'slack', workspaceId: 'T0ALPHA', channelId: 'C0ALPHA1' },
      'this forum requires a tag',
    );
    const operator = {
      ...shell,
      DISCORD_TOKEN: 'x',
      DISCORD_APPLICATION_ID: '1',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
    };
    for (const args of [['status'], ['ask', 'status']]) {
      const result = await runCli(args, operator);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(
        /^Deliveries to discord are PAUSED by the mass-disable guard since .*: 50001: Missing Access$/m,
      );
      expect(result.stdout).toContain(
        'slack T0BRAVO: cannot look before re-sending: missing_scope (e.g. channel C0BRAVO2)',
      );
      expect(result.stdout).toContain('slack channel C0ALPHA1');
      expect(result.stdout).toMatch(/^ {2}announce: \d+ waiting, \d+ active, \d+ delayed, \d+ failed$/m);
    }
  });
});

describe("the operator's status of the invalid-request budget", () => {
  it('shows the count of 401/403/429 answers in 10 minutes, the budget and the state, in text and JSON', async () => {
    const own = uniquePrefix('cli-invalid');
    const operator = { ...shell, REDIS_PREFIX: own, DISCORD_TOKEN: 'x', DISCORD_APPLICATION_ID: '1' };
    const budget = new RedisRequestBudget(redis, own, 'discord');
    try {
      for (let i = 0; i < 3; i += 1) await budget.invalid();
      const text = await runCli(['status'], operator);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain(
        'Discord invalid requests (401, 403 and 429 answers): 3 in the last 10 minutes; normal (slowed from 2,500, held from 5,000; Discord blocks the IP at 10,000).',
      );
      for (let i = 3; i < 2_500; i += 1) await budget.invalid();
      const json = await runCli(['status', '--json'], operator);
      expect(json.code, json.stderr).toBe(0);
      const reply = JSON.parse(json.stdout) as { kind: string; text: string; invalidRequests: unknown[] };
      expect(reply.kind).toBe('text');
      expect(reply.text).toContain('2,500 in the last 10 minutes; SLOWED to 5 requests a second');
      expect(reply.invalidRequests).toEqual([
        {
          platform: 'discord',
          count: 2_500,
          limit: 10_000,
          windowMs: 600_000,
          slowAt: 2_500,
          slowPerSecond: 5,
          holdAt: 5_000,
          state: 'slowed',
        },
      ]);
      // Nothing counted and Discord not configured in this shell: no line, an empty list.
      const quiet = await runCli(['status', '--json'], shell);
      expect((JSON.parse(quiet.stdout) as { invalidRequests: unknown[] }).invalidRequests).toEqual([]);
    } finally {
      await deletePrefix(redis, own);
    }
  });
});
