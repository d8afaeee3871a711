import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedFetchError } from '../../../src/feeds/errors.js';
import { fetchFeed } from '../../../src/feeds/fetch.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { FIXTURES, archivePage, readFixture } from '../../helpers/fixtures.js';

let server: FeedServer;
let dir: string;

beforeAll(async () => {
  server = await startFeedServer();
  dir = await mkdtemp(join(tmpdir(), 'psf-feeds-'));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Fails clearly instead of hanging when the client never lets go of the socket. */
async function clientClosed(count: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the client kept the socket open')), 5_000);
  });
  await Promise.race([server.waitForClientClose(count), giveUp]).finally(() => clearTimeout(timer));
}

async function failure(promise: Promise<unknown>): Promise<FeedFetchError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FeedFetchError);
  return error as FeedFetchError;
}

describe('fetchFeed over HTTP', () => {
  it('sends validators and takes a 304 without a body', async () => {
    const body = readFixture(FIXTURES.bloggerAtom);
    server.route('/conditional', {
      kind: 'body',
      body,
      etag: '"v1"',
      lastModified: 'Thu, 12 Feb 2026 16:00:00 GMT',
    });
    const first = await fetchFeed(server.url('/conditional'));
    expect(first).toMatchObject({
      status: 200,
      etag: '"v1"',
      lastModified: 'Thu, 12 Feb 2026 16:00:00 GMT',
      redirected: false,
    });
    expect(first.status === 200 && first.body).toBe(body);
    const second = await fetchFeed(server.url('/conditional'), {
      etag: first.etag,
      lastModified: first.lastModified,
    });
    expect(second).toEqual({
      status: 304,
      url: server.url('/conditional'),
      redirected: false,
      etag: '"v1"',
      lastModified: 'Thu, 12 Feb 2026 16:00:00 GMT',
    });
    const sent = server.requests.filter((request) => request.path === '/conditional').at(-1)!;
    expect(sent.headers['if-none-match']).toBe('"v1"');
    expect(sent.headers['if-modified-since']).toBe('Thu, 12 Feb 2026 16:00:00 GMT');
  });

  it('uses If-Modified-Since alone when the server gives only Last-Modified', async () => {
    server.route('/dated', { kind: 'body', body: '<rss/>', lastModified: 'Tue, 10 Feb 2026 00:00:00 GMT' });
    const first = await fetchFeed(server.url('/dated'));
    expect(first.etag).toBeNull();
    expect((await fetchFeed(server.url('/dated'), first)).status).toBe(304);
  });

  it('identifies itself as psf-bot/<version> (+<homepage>)', async () => {
    server.route('/ua', { kind: 'body', body: '<rss/>' });
    await fetchFeed(server.url('/ua'));
    const agent = server.requests.filter((request) => request.path === '/ua')[0]!.headers['user-agent'];
    expect(agent).toMatch(/^psf-bot\/\d+\.\d+\.\d+ \(\+https:\/\/github\.com\/psf-bot\/psf-bot\)$/);
  });

  it('aborts the socket when the timeout runs out', async () => {
    server.route('/hang', { kind: 'hang' });
    const before = server.closedByClient;
    const error = await failure(fetchFeed(server.url('/hang'), {}, { timeoutMs: 300 }));
    expect(error.code).toBe('timeout');
    expect(error.message).toBe(`timed out after 300ms fetching ${server.url('/hang')}`);
    await clientClosed(before + 1);
  });

  it('stops reading a body over the size cap and closes the connection', async () => {
    server.route('/endless', { kind: 'endless' });
    const before = server.closedByClient;
    const error = await failure(fetchFeed(server.url('/endless'), {}, { maxBytes: 1024 * 1024 }));
    expect(error.code).toBe('too-large');
    expect(error.message).toBe(`body larger than 1 MiB from ${server.url('/endless')}`);
    await clientClosed(before + 1);
  });

  it('refuses a declared Content-Length over the cap without reading it', async () => {
    server.route('/big', { kind: 'body', body: Buffer.alloc(4096, 'a') });
    const error = await failure(fetchFeed(server.url('/big'), {}, { maxBytes: 1000 }));
    expect(error.message).toMatch(/^body larger than 1000 bytes from /);
  });

  it('follows redirects up to the limit and reports the final URL', async () => {
    server.route('/hop1', { kind: 'redirect', location: '/hop2' });
    server.route('/hop2', { kind: 'redirect', location: server.url('/moved.xml'), status: 308 });
    server.route('/moved.xml', { kind: 'body', body: '<rss/>', contentType: 'application/rss+xml' });
    const result = await fetchFeed(server.url('/hop1'), {}, { maxRedirects: 2 });
    expect(result).toMatchObject({ status: 200, url: server.url('/moved.xml'), redirected: true });
    const error = await failure(fetchFeed(server.url('/hop1'), {}, { maxRedirects: 1 }));
    expect(error.code).toBe('redirects');
    expect(error.message).toBe(`more than 1 redirects from ${server.url('/hop1')}`);
  });

  it('fails with the status and URL on a 503', async () => {
    server.route('/down', { kind: 'fail', status: 503 });
    const error = await failure(fetchFeed(server.url('/down')));
    expect(error).toMatchObject({
      code: 'http',
      status: 503,
      message: `HTTP 503 from ${server.url('/down')}`,
    });
  });

  it('fails as a network error when nothing listens', async () => {
    const gone = await startFeedServer();
    const url = gone.url('/feed');
    await gone.close();
    const error = await failure(fetchFeed(url));
    expect(error.code).toBe('network');
    expect(error.message).toMatch(
      /^cannot fetch http:\/\/127\.0\.0\.1:\d+\/feed: connection refused \(ECONNREFUSED\)$/,
    );
  });

  it('decompresses gzip and decodes the charset of the Content-Type', async () => {
    const xml = '<?xml version="1.0"?><rss version="2.0"><channel><title>Café</title></channel></rss>';
    server.route('/latin1', {
      kind: 'body',
      body: Buffer.from(xml, 'latin1'),
      contentType: 'application/rss+xml; charset=ISO-8859-1',
      gzip: true,
    });
    const result = await fetchFeed(server.url('/latin1'));
    expect(result.status === 200 && result.body).toBe(xml);
    expect(server.requests.at(-1)!.headers['accept-encoding']).toMatch(/gzip/);
  });
});

describe('fetchFeed on local files', () => {
  it('reads a path, with the modification time as Last-Modified, and answers 304 when unchanged', async () => {
    const path = join(dir, 'feed.xml');
    await writeFile(path, readFixture(FIXTURES.astroRss));
    await utimes(path, new Date('2026-02-12T00:00:00Z'), new Date('2026-02-12T00:00:00Z'));
    const first = await fetchFeed(path);
    expect(first).toMatchObject({ status: 200, url: path, lastModified: 'Thu, 12 Feb 2026 00:00:00 GMT' });
    expect((await fetchFeed(path, first)).status).toBe(304);
    await utimes(path, new Date('2026-02-13T00:00:00Z'), new Date('2026-02-13T00:00:00Z'));
    expect((await fetchFeed(path, first)).status).toBe(200);
  });

  it('accepts a file:// URL and reads the first page of an archive directory', async () => {
    const viaUrl = await fetchFeed(pathToFileURL(FIXTURES.astroRss).href);
    expect(viaUrl.status === 200 && viaUrl.body).toBe(readFixture(FIXTURES.astroRss));
    const viaDir = await fetchFeed(FIXTURES.archiveDir);
    expect(viaDir).toMatchObject({ status: 200, url: archivePage(1) });
  });

  it('fails clearly on a missing file and on a file over the cap', async () => {
    const missing = await failure(fetchFeed(join(dir, 'nope.xml')));
    expect(missing).toMatchObject({
      code: 'file',
      message: `cannot read ${join(dir, 'nope.xml')}: no such file`,
    });
    const big = await failure(fetchFeed(FIXTURES.bloggerAtom, {}, { maxBytes: 1024 }));
    expect(big.message).toBe(`body larger than 1 KiB in ${FIXTURES.bloggerAtom}`);
  });
});

describe('fetchFeed on other URLs', () => {
  it('refuses a scheme it cannot fetch', async () => {
    const error = await failure(fetchFeed('ftp://example.org/feed.xml'));
    expect(error.message).toBe('unsupported URL scheme ftp: in ftp://example.org/feed.xml');
  });
});
