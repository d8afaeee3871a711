import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseTag } from '../../../src/posts/tags.js';
import {
  atomWithEntries,
  deletePrefix,
  entryId,
  lines,
  REDIS_URL,
  runCli,
  uniquePrefix,
} from '../../helpers/cli.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { ARCHIVE_TOTAL, FIXTURES, readFixture } from '../../helpers/fixtures.js';

// `poll --once`, `backfill` and `ask` as docs/cli.md promises them, against a local feed server and real Redis.

const ATOM = readFixture(FIXTURES.bloggerAtom);
const pollPrefix = uniquePrefix('cli-poll');
const archivePrefix = uniquePrefix('cli-archive');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
let server: FeedServer;

beforeAll(async () => {
  server = await startFeedServer({
    '/blog/feeds/posts/default': { kind: 'body', body: ATOM, etag: '"v1"' },
    '/down/feeds/posts/default': { kind: 'fail', status: 503 },
    '/archive/feeds/posts/default': { kind: 'archive' },
  });
});

afterAll(async () => {
  await server.close();
  await deletePrefix(redis, pollPrefix);
  await deletePrefix(redis, archivePrefix);
  await redis.quit();
});

type PollLine = { feed: string; status: number | 'error'; new: string[]; seeded: number; error?: string };

function pollLines(stdout: string): PollLine[] {
  return lines(stdout).map((line) => JSON.parse(line) as PollLine);
}

describe('poll --once', () => {
  const env = () => ({
    REDIS_PREFIX: pollPrefix,
    PSF_FEEDS: `psf=${server.url('/blog/feeds/posts/default')},down=${server.url('/down/feeds/posts/default')}`,
  });

  it('seeds on first sight, queues a newer post, answers 304 on an unchanged feed', async () => {
    const first = await runCli(['poll', '--once', '--feed', 'psf', '--json'], env());
    expect(first.code, first.stderr).toBe(0);
    expect(pollLines(first.stdout)).toEqual([{ feed: 'psf', status: 200, new: [], seeded: 25 }]);

    const body = atomWithEntries(ATOM, [{ n: 1, publishedAt: new Date(Date.now() - 3_600_000) }]);
    server.route('/blog/feeds/posts/default', { kind: 'body', body, etag: '"v2"' });
    const second = await runCli(['poll', '--once', '--feed', 'psf', '--json'], env());
    expect(second.code, second.stderr).toBe(0);
    expect(pollLines(second.stdout)).toEqual([{ feed: 'psf', status: 200, new: [entryId(1)], seeded: 0 }]);

    const third = await runCli(['poll', '--once', '--feed', 'psf', '--json'], env());
    expect(third.code, third.stderr).toBe(0);
    expect(pollLines(third.stdout)).toEqual([{ feed: 'psf', status: 304, new: [], seeded: 0 }]);
  });

  it('reports a feed answering 503 as status "error" with a reason, one line per feed, exit 1', async () => {
    const result = await runCli(['poll', '--once', '--json'], env());
    expect(result.code, result.stderr).toBe(1);
    const byFeed = Object.fromEntries(pollLines(result.stdout).map((line) => [line.feed, line]));
    expect(Object.keys(byFeed).sort()).toEqual(['down', 'psf']);
    expect(byFeed.down).toMatchObject({ feed: 'down', status: 'error', new: [], seeded: 0 });
    expect(byFeed.down!.error).toMatch(/503/);
    expect(byFeed.psf!.status).not.toBe('error');
  });

  it('without --json says what failed in one plain line on stderr, exit 1', async () => {
    const result = await runCli(['poll', '--once', '--feed', 'down'], env());
    expect(result.code, result.stderr).toBe(1);
    expect(lines(result.stderr), result.stderr).toHaveLength(1);
    expect(result.stderr).toMatch(/^psf-bot: .*down.*503/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('backfill, then ask', () => {
  const env = () => ({
    REDIS_PREFIX: archivePrefix,
    PSF_FEEDS: `psf=${server.url('/archive/feeds/posts/default')}`,
  });

  beforeAll(async () => {
    const result = await runCli(
      ['backfill', '--feed', `psf=${server.url('/archive/feeds/posts/default')}`, '--json'],
      env(),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(lines(result.stdout).map((line) => JSON.parse(line) as unknown)).toEqual([
      { feed: 'psf', pages: 5, posts: ARCHIVE_TOTAL },
    ]);
  });

  it.concurrent('"tag grants" answers posts tagged grants, newest first, without a payload', async () => {
    const result = await runCli(['ask', 'tag grants', '--json'], env());
    expect(result.code, result.stderr).toBe(0);
    const reply = JSON.parse(result.stdout) as {
      kind: string;
      posts: { tags: string[]; publishedAt: string }[];
    };
    expect(reply.kind).toBe('posts');
    expect(reply.posts.length).toBe(5);
    for (const post of reply.posts) expect(post.tags.map(normaliseTag)).toContain('grants');
    const times = reply.posts.map((post) => Date.parse(post.publishedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // docs/cli.md: "payload" only with --platform.
    expect(reply).not.toHaveProperty('payload');
  });

  it.concurrent('"tag grnts" matches nothing and suggests the closest tags', async () => {
    const result = await runCli(['ask', 'tag grnts', '--json'], env());
    expect(result.code, result.stderr).toBe(0);
    const reply = JSON.parse(result.stdout) as { kind: string; posts: unknown[]; suggestions?: string[] };
    expect(reply.kind).toBe('posts');
    expect(reply.posts).toEqual([]);
    expect(reply.suggestions).toContain('grants');
  });

  it.concurrent('a command that does not exist is a usage error: exit 2, one line', async () => {
    const result = await runCli(['ask', 'bogus'], env());
    expect(result.code, result.stderr).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('bogus');
  });

  it.concurrent('"latest 3" --platform discord adds the interaction body Discord would receive', async () => {
    const result = await runCli(['ask', 'latest 3', '--json', '--platform', 'discord'], env());
    expect(result.code, result.stderr).toBe(0);
    const reply = JSON.parse(result.stdout) as {
      kind: string;
      posts: unknown[];
      payload: { allowed_mentions: unknown; embeds: unknown[] };
    };
    expect(reply.kind).toBe('posts');
    expect(reply.posts).toHaveLength(3);
    expect(reply.payload.allowed_mentions).toEqual({ parse: [] });
    expect(reply.payload.embeds).toHaveLength(3);
  });

  it.concurrent('"latest 3" --platform slack adds the Block Kit body Slack would receive', async () => {
    const result = await runCli(['ask', 'latest 3', '--json', '--platform', 'slack'], env());
    expect(result.code, result.stderr).toBe(0);
    const reply = JSON.parse(result.stdout) as {
      posts: unknown[];
      payload: { text: string; blocks: unknown[] };
    };
    expect(reply.posts).toHaveLength(3);
    expect(typeof reply.payload.text).toBe('string');
    expect(reply.payload.blocks.length).toBeGreaterThan(0);
  });

  it.concurrent('without --json prints the console rendering', async () => {
    const result = await runCli(['ask', 'latest 2'], env());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Latest 2 posts/);
    expect(result.stdout.match(/📣 /g)).toHaveLength(2);
  });
});
