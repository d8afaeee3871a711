import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  deletePrefix,
  expectOnePlainLine,
  REDIS_URL,
  runCli,
  uniquePrefix,
} from '../../helpers/cli.js';
import { FIXTURES } from '../../helpers/fixtures.js';

// docs/cli.md's contract for the parts that need no feed: --help, usage errors (2), a broken config (2, every
// problem listed), work failures (1, one plain line), preview without Redis, an empty failed-deliveries list.

const prefix = uniquePrefix('cli-contract');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const env = { REDIS_PREFIX: prefix, PSF_FEEDS: `psf=${FIXTURES.bloggerAtom}` };

afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

describe('--help', () => {
  const commands = [
    [],
    ['start'],
    ['poll'],
    ['backfill'],
    ['preview'],
    ['ask'],
    ['discord'],
    ['discord', 'register'],
    ['doctor'],
    ['deliveries'],
    ['subscriptions'],
    ['subscriptions', 'export'],
    ['subscriptions', 'import'],
  ];

  it('exits 0 with usage on stdout for the program and every command', async () => {
    const results = await Promise.all(commands.map((command) => runCli([...command, '--help'], env)));
    results.forEach((result, i) => {
      const what = `psf-bot ${commands[i]!.join(' ')} --help\n${result.stderr}`;
      expect(result.code, what).toBe(0);
      expect(result.stdout, what).toMatch(/^Usage: psf-bot/);
      expect(result.stderr, what).toBe('');
    });
  });

  it('says that poll and backfill --json print JSON Lines, with a jq -s example', async () => {
    for (const [command, example] of [
      [['poll'], 'psf-bot poll --once --json | jq -s .'],
      [['backfill'], 'psf-bot backfill --json | jq -s .'],
    ] as const) {
      const result = await runCli([...command, '--help'], env);
      expect(result.stdout).toContain('JSON Lines');
      expect(result.stdout).toContain(example);
    }
  });
});

describe.concurrent('usage errors exit 2 with one line on stderr', () => {
  it.each([
    ['an unknown command', ['frobnicate']],
    ['an unknown option', ['poll', '--once', '--bogus']],
    ['a missing required option', ['poll']],
    ['a bad choice', ['start', '--role', 'janitor']],
    ['a bad --limit', ['preview', FIXTURES.bloggerAtom, '--limit', 'zero']],
    ['a missing argument', ['ask']],
  ])('%s', async (_what, args) => {
    const result = await runCli(args, env);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    // The argument parser's errors start like the bot's own.
    expectOnePlainLine(result.stderr, /^psf-bot: /);
  });

  it('an unknown feed name for --feed', async () => {
    const result = await runCli(['poll', '--once', '--feed', 'nosuch'], env);
    expect(result.code, result.stderr).toBe(2);
    expectOnePlainLine(result.stderr);
    expect(result.stderr).toContain('nosuch');
  });
});

describe('a broken configuration', () => {
  it('exits 2 and lists every problem at once, naming each variable', async () => {
    const result = await runCli(['ask', 'latest'], {
      REDIS_URL: 'http://127.0.0.1:6379',
      REDIS_PREFIX: 'has:colon',
      PSF_FEEDS: 'Bad Name=somewhere',
      POLL_INTERVAL: 'soon',
      MAX_AGE: '-3',
      PORT: '99999',
      LOG_LEVEL: 'loud',
      DISCORD_TOKEN: 'abc',
    });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    for (const variable of [
      'REDIS_URL',
      'REDIS_PREFIX',
      'PSF_FEEDS',
      'POLL_INTERVAL',
      'MAX_AGE',
      'PORT',
      'LOG_LEVEL',
      'DISCORD_APPLICATION_ID',
    ]) {
      expect(result.stderr, variable).toContain(variable);
    }
    expect(result.stderr).toContain('8 problems');
  });
});

describe.concurrent('preview', () => {
  it('prints N items { post, payload } for the console without touching Redis', async () => {
    const port = await closedPort();
    const result = await runCli(['preview', FIXTURES.bloggerAtom, '--json', '--limit', '2'], {
      ...env,
      REDIS_URL: `redis://127.0.0.1:${port}`,
    });
    expect(result.code, result.stderr).toBe(0);
    const items = JSON.parse(result.stdout) as { post: Record<string, unknown>; payload: { text: string } }[];
    expect(items).toHaveLength(2);
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(['payload', 'post']);
      expect(Object.keys(item.post).sort()).toEqual(
        [
          'author',
          'feed',
          'id',
          'image',
          'publishedAt',
          'summary',
          'tags',
          'title',
          'updatedAt',
          'url',
        ].sort(),
      );
      expect(item.payload.text).toContain(item.post.title as string);
    }
    expect(items[0]!.post.title).toBe("Python is for Everyone: Inside the PSF's D&I Work Group");
  });

  it('renders the Discord body of an announcement with --platform discord', async () => {
    const result = await runCli(
      ['preview', FIXTURES.bloggerAtom, '--json', '--limit', '1', '--platform', 'discord'],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const [item] = JSON.parse(result.stdout) as { payload: Record<string, unknown> }[];
    expect(item!.payload).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(item!.payload.embeds).toHaveLength(1);
  });

  it('exits 1 with one plain line for a feed that does not exist', async () => {
    const result = await runCli(['preview', '/nonexistent/feed.xml', '--json'], env);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toBe('');
    expectOnePlainLine(result.stderr);
  });
});

describe('Redis down', () => {
  it('ask exits 1 with one plain line naming Redis', async () => {
    const port = await closedPort();
    const result = await runCli(['ask', 'latest 3'], { ...env, REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toBe('');
    expectOnePlainLine(result.stderr);
    expect(result.stderr).toMatch(/Redis/);
    expect(result.stderr).toContain(String(port));
  });
});

describe('zero-setup Redis', () => {
  it('with REDIS_URL unset, uses the Redis answering on 127.0.0.1:6379 (and a feed given as a file path)', async () => {
    const result = await runCli(['poll', '--once', '--json'], { ...env, REDIS_URL: '' });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ feed: 'psf', status: 200, new: [], seeded: 25 });
    const [, keys] = await redis.scan('0', 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    expect(keys.length).toBeGreaterThan(0);
  });
});

describe('deliveries failed', () => {
  it('prints [] on a fresh prefix and exits 0', async () => {
    const result = await runCli(['deliveries', 'failed', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
  });
});
