import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedFetchError } from '../../../src/feeds/errors.js';
import { fetchFeed } from '../../../src/feeds/fetch.js';
import {
  privateKind,
  SYSTEM_NETWORK,
  type FeedNetwork,
  type ResolvedAddress,
} from '../../../src/feeds/feed-network.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';

// Issue 21 §3: a feed's host could redirect the poller to a loopback, private or link-local address (a cloud
// metadata endpoint). No packet may go to a private or link-local address here, not even on code without the
// check: names resolve from the table below (`.test` names, never asked of a real resolver), and the connect
// step records the address and dials only the loopback fake feed host, whatever address it was given.

const TABLE: Record<string, ResolvedAddress[]> = {
  // A public name: the stand-in for a real feed host (served by the loopback fake).
  'feeds.test': [{ address: '93.184.216.34', family: 4 }],
  'cdn.test': [{ address: '2606:2800:220:1::1', family: 6 }],
  'rebind.test': [{ address: '127.0.0.1', family: 4 }],
  'metadata.test': [{ address: '169.254.169.254', family: 4 }],
  'mixed.test': [
    { address: '93.184.216.34', family: 4 },
    { address: 'fd00::1', family: 6 },
  ],
  'intranet.test': [{ address: '10.1.2.3', family: 4 }],
};

let server: FeedServer;
let port: number;
const dialled: { host: string; address: string }[] = [];
const resolved: string[] = [];

/** Answers names from TABLE; records each connect and dials only the fake feed host on 127.0.0.1. */
const network: FeedNetwork = {
  async resolve(hostname) {
    resolved.push(hostname);
    const found = TABLE[hostname];
    if (!found) throw Object.assign(new Error(`${hostname} not in the table`), { code: 'ENOTFOUND' });
    return found;
  },
  connect(url, address, options) {
    dialled.push({ host: url.hostname, address: address.address });
    const loopback = new URL(url);
    loopback.hostname = '127.0.0.1';
    loopback.port = String(port);
    // Never a packet to `address`: it is recorded, and the request goes to the fake host on loopback.
    return SYSTEM_NETWORK.connect(loopback, { address: '127.0.0.1', family: 4 }, options);
  },
};

beforeAll(async () => {
  server = await startFeedServer({ '/feed.xml': { kind: 'body', body: readFixture(FIXTURES.bloggerAtom) } });
  port = Number(new URL(server.origin).port);
  // The guard of this file: a fetch that ignores the injected network would dial the addresses below for
  // real. A literal loopback URL (safe to dial) shows whether it is honoured; if not, nothing else runs.
  dialled.length = 0;
  await fetchFeed(server.url('/feed.xml'), {}, { network });
  if (dialled.length !== 1) throw new Error('fetchFeed ignores the injected network: not running the rest');
});

afterAll(async () => {
  await server.close();
});

async function refusal(promise: Promise<unknown>): Promise<FeedFetchError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FeedFetchError);
  return error as FeedFetchError;
}

function redirectTo(path: string, location: string): string {
  server.route(path, { kind: 'redirect', location });
  return `http://feeds.test:${port}${path}`;
}

describe('feed redirects stay on the public internet', () => {
  const targets: [string, string, string][] = [
    ['127.0.0.1', `http://127.0.0.1:${0}/feed.xml`, 'loopback'],
    ['10.0.0.1', 'http://10.0.0.1/feed.xml', 'private'],
    ['169.254.169.254', 'http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['[::1]', 'http://[::1]:1/feed.xml', 'loopback'],
    ['[fd12::1]', 'http://[fd12::1]/feed.xml', 'unique-local'],
    ['[::ffff:169.254.169.254]', 'http://[::ffff:169.254.169.254]/', 'link-local'],
    ['a name resolving to 127.0.0.1', 'http://rebind.test/feed.xml', 'loopback'],
    ['a name resolving to 169.254.169.254', 'http://metadata.test/', 'link-local'],
    ['a name with one public and one private address', 'http://mixed.test/feed.xml', 'unique-local'],
  ];

  for (const [name, location, kind] of targets) {
    it(`refuses a redirect to ${name}, saying why in plain words, and never connects there`, async () => {
      dialled.length = 0;
      const target = location.replace(':0/', `:${port}/`);
      const error = await refusal(fetchFeed(redirectTo('/away', target), {}, { network }));
      expect(error.code).toBe('redirects');
      expect(error.reason).toBe(`the feed redirects to a ${kind} network address, which is refused`);
      expect(error.message).toMatch(/FEED_ALLOW_PRIVATE_REDIRECTS=1/);
      expect(dialled).toEqual([{ host: 'feeds.test', address: '93.184.216.34' }]);
    });
  }

  it('follows a redirect to another public host, connecting to the address it checked', async () => {
    dialled.length = 0;
    const result = await fetchFeed(redirectTo('/cdn', `http://cdn.test:${port}/feed.xml`), {}, { network });
    expect(result).toMatchObject({ status: 200, redirected: true });
    expect(dialled).toEqual([
      { host: 'feeds.test', address: '93.184.216.34' },
      { host: 'cdn.test', address: '2606:2800:220:1::1' },
    ]);
  });

  it('follows redirects within a feed configured at a loopback URL (local fakes keep working)', async () => {
    server.route('/local', { kind: 'redirect', location: `http://rebind.test:${port}/feed.xml` });
    server.route('/literal', { kind: 'redirect', location: '/local' });
    const result = await fetchFeed(server.url('/literal'), {}, { network });
    expect(result).toMatchObject({ status: 200, url: `http://rebind.test:${port}/feed.xml` });
  });

  it('follows private redirects of a feed whose name resolves to a private address (an intranet feed)', async () => {
    dialled.length = 0;
    server.route('/intranet', { kind: 'redirect', location: 'http://10.0.0.1/feed.xml' });
    const result = await fetchFeed(`http://intranet.test:${port}/intranet`, {}, { network });
    expect(result).toMatchObject({ status: 200, url: 'http://10.0.0.1/feed.xml' });
    expect(dialled.map((entry) => entry.address)).toEqual(['10.1.2.3', '10.0.0.1']);
  });

  it('follows private redirects when FEED_ALLOW_PRIVATE_REDIRECTS=1', async () => {
    const url = redirectTo('/allowed', `http://rebind.test:${port}/feed.xml`);
    expect(await fetchFeed(url, {}, { network, allowPrivateRedirects: true })).toMatchObject({
      status: 200,
    });
  });
});

describe('the connection goes to the checked address', () => {
  it('pins the address: the name is never resolved again when connecting (no DNS rebinding)', async () => {
    const before = server.requests.length;
    const response = await new Promise<number>((resolve, reject) => {
      const request = SYSTEM_NETWORK.connect(
        new URL(`http://never-resolved.test:${port}/feed.xml`),
        { address: '127.0.0.1', family: 4 },
        { method: 'GET', agent: false },
      );
      request.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end();
    });
    expect(response).toBe(200);
    expect(server.requests[before]?.headers.host).toBe(`never-resolved.test:${port}`);
  });

  it('resolves each hop once and connects to that answer', async () => {
    resolved.length = 0;
    dialled.length = 0;
    await fetchFeed(redirectTo('/once', `http://cdn.test:${port}/feed.xml`), {}, { network });
    expect(resolved).toEqual(['feeds.test', 'cdn.test']);
    expect(dialled.map((entry) => entry.address)).toEqual(['93.184.216.34', '2606:2800:220:1::1']);
  });
});

describe('address kinds', () => {
  it('names loopback, private, link-local, unique-local and reserved addresses; public ones are null', () => {
    const kind = (address: string, family: 4 | 6 = 4) => privateKind({ address, family });
    expect(kind('127.8.9.1')).toBe('loopback');
    expect(kind('172.20.0.1')).toBe('private');
    expect(kind('192.168.1.1')).toBe('private');
    expect(kind('100.100.100.200')).toBe('private');
    expect(kind('169.254.169.254')).toBe('link-local');
    expect(kind('0.0.0.0')).toBe('reserved');
    expect(kind('fe80::1', 6)).toBe('link-local');
    expect(kind('fc00::1', 6)).toBe('unique-local');
    expect(kind('::', 6)).toBe('reserved');
    expect(kind('::ffff:7f00:1', 6)).toBe('loopback');
    expect(kind('64:ff9b::a9fe:a9fe', 6)).toBe('link-local');
    expect(kind('93.184.216.34')).toBeNull();
    expect(kind('172.32.0.1')).toBeNull();
    expect(kind('2606:2800:220:1::1', 6)).toBeNull();
    expect(kind('64:ff9b::5db8:d822', 6)).toBeNull();
  });
});
