import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pollFeed } from '../../../src/feeds/poller.js';
import { createLogger } from '../../../src/logger.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { redisPollDeps } from './harness.js';
import { testRedis } from './redis.js';

// Issue 12 §1: fetch and parse errors carried the whole feed URL (user:pass@, query tokens) and the first
// 40 characters of the body; both reached `status` (any member, shareable) and the logs.
const { redis, prefix, cleanup } = testRedis('feeds-secrets');
let server: FeedServer;
let feeds = 0;
const SECRETS = ['hunter2', 'tok-abc123', 'evil.example', 'Claim'];

beforeAll(async () => {
  server = await startFeedServer();
});

afterAll(async () => {
  await server.close();
  await cleanup();
});

function setup(route: Parameters<FeedServer['route']>[1]) {
  feeds += 1;
  const path = `/s${feeds}/feed`;
  server.route(path, route);
  const url = server.url(path).replace('http://', 'http://reader:hunter2@') + '?key=tok-abc123';
  const lines: string[] = [];
  const made = redisPollDeps(redis, `${prefix}:${feeds}`, '2026-02-13T12:00:00Z');
  made.deps.logger = createLogger('debug', { stream: { write: (line: string) => void lines.push(line) } });
  return { feed: { name: 'psf', url }, lines, ...made };
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('feed failures never show a secret or the server text', () => {
  it('says "the feed is not XML" for a body that is not XML, echoing none of it', async () => {
    const { feed, deps, lines } = setup({ kind: 'body', body: '[Claim your grant](https://evil.example/x)' });
    const result = await pollFeed(feed, deps);
    expect(result.status).toBe('error');
    expectNoSecret(result.error ?? '');
    const state = await deps.states.get('psf');
    expect(state.lastError).toBe('the feed is not XML');
    expectNoSecret(lines.join('\n'));
  });

  it('keeps credentials and the query string out of an HTTP error, its state and its log', async () => {
    const { feed, deps, lines } = setup({ kind: 'fail', status: 503 });
    const result = await pollFeed(feed, deps);
    expect(result.error).toMatch(/^feed psf: HTTP 503 from http:\/\/127\.0\.0\.1:\d+\/s\d+\/feed$/);
    expect((await deps.states.get('psf')).lastError).toBe('the feed answered HTTP 503');
    expectNoSecret(lines.join('\n'));
  });

  it('names a refused connection in plain words', async () => {
    const closed: Server = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { deps } = setup({ kind: 'fail', status: 500 });
    const feed = { name: 'psf', url: `http://reader:hunter2@127.0.0.1:${port}/feed?key=tok-abc123` };
    const result = await pollFeed(feed, deps);
    expectNoSecret(result.error ?? '');
    expect((await deps.states.get('psf')).lastError).toBe('cannot reach the feed: connection refused');
  });
});
