import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  deletePrefix,
  expectOnePlainLine,
  REDIS_URL,
  ROOT,
  runCli,
  uniquePrefix,
} from '../../helpers/cli.js';
import { FIXTURES } from '../../helpers/fixtures.js';

// docs/cli.md: exit 1 (the work failed) and exit 2 (usage) each print one plain line on stderr, with or
// without --json; `ask` gives a mistake in the command the same status whatever the mistake.

const prefix = uniquePrefix('cli-exit');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const env = { REDIS_PREFIX: prefix, PSF_FEEDS: `psf=${FIXTURES.bloggerAtom}` };

afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

/** How every failure of the work starts (docs/cli.md). */
const FAILURE = /^psf-bot: /;

describe.concurrent('failures say so on stderr, with or without --json', () => {
  it('poll --once --json on a broken feed prints its JSON line and one line on stderr, exit 1', async () => {
    const result = await runCli(['poll', '--once', '--json'], {
      ...env,
      PSF_FEEDS: 'gone=/nonexistent/psf-feed.xml',
    });
    expect(result.code, result.stderr).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ feed: 'gone', status: 'error' });
    expectOnePlainLine(result.stderr, FAILURE);
    expect(result.stderr).toContain('psf-feed.xml');
  });

  it('deliveries retry of an id that is no failed delivery: exit 1, one line naming it', async () => {
    const result = await runCli(['deliveries', 'retry', 'no-such-job'], env);
    expect(result.code, result.stderr).toBe(1);
    expectOnePlainLine(result.stderr, FAILURE);
    expect(result.stderr).toContain('no-such-job');
  });
});

describe('doctor with Redis unreachable', () => {
  it('says the subscriptions are unknown (not absent), prints the report, and one line on stderr', async () => {
    const port = await closedPort();
    const result = await runCli(['doctor'], { ...env, REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^FAIL redis: reachable /m);
    expect(result.stdout).toMatch(/^\? +subscriptions +unknown: cannot list the subscriptions in Redis/m);
    expect(result.stdout).not.toContain('no subscriptions yet');
    expect(result.stdout.trim().split('\n').at(-1)).toBe(
      '1 of 4 checks failed (1 could not be checked): see "fix:" above',
    );
    expectOnePlainLine(result.stderr, FAILURE);
  });
});

describe.concurrent('ask: a mistake in the command is a usage error, whatever the mistake', () => {
  it.each([
    ['an unknown command', 'bogus', /bogus/],
    ['an unknown feed', 'latest 3 nosuch', /nosuch/],
    ['a count that is not a number', 'latest abc', /count is a whole number from 1 to 10/],
  ])('%s: exit 2, nothing on stdout, one line on stderr', async (_what, command, says) => {
    const result = await runCli(['ask', command], env);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expectOnePlainLine(result.stderr, FAILURE);
    expect(result.stderr).toMatch(says);
  });

  // A refusal by the core (the parser's refusals print through the same path).
  it('an unknown feed with --json: exit 2, the error reply on stdout, one line on stderr', async () => {
    const result = await runCli(['ask', 'latest 3 nosuch', '--json'], env);
    expect(result.code, result.stderr).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: 'error', message: expect.any(String) });
    expectOnePlainLine(result.stderr, FAILURE);
  });
});

describe.concurrent(
  'ask --platform without --json prints what the platform would show, as preview does',
  () => {
    it('discord: the interaction response body', async () => {
      const result = await runCli(['ask', 'help', '--platform', 'discord'], env);
      expect(result.code, result.stderr).toBe(0);
      const body = JSON.parse(result.stdout) as { content: string; allowed_mentions: unknown };
      expect(body.allowed_mentions).toEqual({ parse: [] });
      expect(body.content).toContain('latest');
    });

    it('slack: the Block Kit message', async () => {
      const result = await runCli(['ask', 'help', '--platform', 'slack'], env);
      expect(result.code, result.stderr).toBe(0);
      const body = JSON.parse(result.stdout) as { text: string; blocks?: unknown[] };
      expect(body.text).toContain('latest');
    });
  },
);

describe.concurrent('usage errors say what is expected', () => {
  it('discord register --guild with something that is no server id says what one looks like', async () => {
    const result = await runCli(['discord', 'register', '--guild', 'my-server'], {
      ...env,
      DISCORD_TOKEN: 'token',
      DISCORD_APPLICATION_ID: '123456789012345678',
      DISCORD_API_URL: 'http://127.0.0.1:9/api',
    });
    expect(result.code, result.stderr).toBe(2);
    expectOnePlainLine(result.stderr, FAILURE);
    expect(result.stderr).toMatch(/17 to 20 digits such as 123456789012345678/);
    expect(result.stderr).toMatch(/Copy Server ID/);
  });

  it('--feed NAME=URL with a scheme no feed is fetched over', async () => {
    const result = await runCli(['poll', '--once', '--feed', 'x=gopher://example.org/feed'], env);
    expect(result.code, result.stderr).toBe(2);
    expectOnePlainLine(result.stderr, FAILURE);
    expect(result.stderr).toMatch(/must be an http:\/\/ or https:\/\/ URL, or a file path/);
  });
});

describe.concurrent('the program', () => {
  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string };
    const result = await runCli(['--version'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('poll without --once says why in one line, and --help explains it', async () => {
    const result = await runCli(['poll'], env);
    expect(result.code).toBe(2);
    expectOnePlainLine(result.stderr, FAILURE);
    expect(result.stderr).toContain('--once');
    expect(result.stderr).toContain('start');
    const help = await runCli(['poll', '--help'], env);
    expect(help.stdout).toMatch(/--once is required/);
    expect(help.stdout).toMatch(/psf-bot start/);
  });
});
