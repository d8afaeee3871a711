import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { decodeBody } from './decode.js';
import { displayUrl } from '../redaction.js';
import { FeedFetchError, formatBytes, formatDuration, networkChatReason, networkReason } from './errors.js';
import { fetchFile } from './fetch-file.js';
import {
  privateKind,
  resolveUrl,
  SYSTEM_NETWORK,
  type FeedNetwork,
  type ResolvedAddress,
} from './feed-network.js';
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_TIMEOUT_MS,
  type FeedValidators,
  type FetchOptions,
  type FetchResult,
} from './fetch-types.js';
import { freshnessMs, retryAfterMs } from './host-hints.js';
import { defaultUserAgent } from './user-agent.js';

export type { FeedBody, FeedNotModified, FeedValidators, FetchOptions, FetchResult } from './fetch-types.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** True when a feed URL names the network rather than a local file. */
export function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/**
 * Fetches a feed ourselves (rss-parser 3.13.0 has no conditional GET and leaks the socket on timeout,
 * PLATFORM-NOTES §5.2): conditional headers, one deadline that destroys the socket, a body cap, manual
 * redirects. A file path or file:// URL reads the file instead. Throws `FeedFetchError`.
 */
export async function fetchFeed(
  url: string,
  validators: FeedValidators = {},
  options: FetchOptions = {},
): Promise<FetchResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!isHttpUrl(url)) {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
    if (scheme && scheme !== 'file')
      throw new FeedFetchError(
        'network',
        `unsupported URL scheme ${scheme}: in ${displayUrl(url)}`,
        displayUrl(url),
      );
    const path = /^file:/i.test(url) ? fileURLToPath(url) : url;
    return fetchFile(path, validators, maxBytes);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(
      new FeedFetchError(
        'timeout',
        `timed out after ${formatDuration(timeoutMs)} fetching ${displayUrl(url)}`,
        displayUrl(url),
        null,
        `the feed did not answer within ${formatDuration(timeoutMs)}`,
      ),
    );
  }, timeoutMs);
  try {
    return await followRedirects(new URL(url), validators, { ...options, maxBytes }, controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

async function followRedirects(
  start: URL,
  validators: FeedValidators,
  options: FetchOptions & { maxBytes: number },
  signal: AbortSignal,
): Promise<FetchResult> {
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const headers = requestHeaders(validators, options.userAgent ?? defaultUserAgent());
  const network = options.network ?? SYSTEM_NETWORK;
  const first = await resolve(start, network, signal);
  // A feed configured at a private address (a local fake, an intranet feed) may redirect within it.
  const publicOnly = !options.allowPrivateRedirects && !first.some((address) => privateKind(address));
  let current = start;
  let from = start;
  for (let hop = 0; ; hop += 1) {
    const addresses = hop === 0 ? first : await resolve(current, network, signal);
    if (publicOnly) refusePrivate(addresses, from);
    const res = await send(current, addresses[0]!, headers, signal, network);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (REDIRECTS.has(status) && location) {
      res.destroy();
      if (hop >= maxRedirects) {
        throw new FeedFetchError(
          'redirects',
          `more than ${maxRedirects} redirects from ${displayUrl(start.href)}`,
          displayUrl(current.href),
          status,
        );
      }
      from = current;
      current = nextLocation(current, location);
      continue;
    }
    const base = {
      url: current.href,
      redirected: hop > 0,
      etag: header(res, 'etag') ?? null,
      lastModified: header(res, 'last-modified') ?? null,
      ...freshness(res),
    };
    if (status === 304) {
      res.destroy();
      return {
        status: 304,
        ...base,
        etag: base.etag ?? validators.etag ?? null,
        lastModified: base.lastModified ?? validators.lastModified ?? null,
      };
    }
    if (status < 200 || status >= 300) {
      res.destroy();
      const where = displayUrl(current.href);
      const error = new FeedFetchError('http', `HTTP ${status} from ${where}`, where, status);
      // Only a host that is shedding load (429, 503) is asked when to come back; other errors back off as usual.
      if (status === 429 || status === 503)
        error.retryAfterMs = retryAfterMs(header(res, 'retry-after'), new Date());
      throw error;
    }
    const bytes = await readBody(res, options.maxBytes, signal, displayUrl(current.href));
    const contentType = header(res, 'content-type') ?? null;
    return { status: 200, ...base, body: decodeBody(bytes, contentType), contentType, bytes: bytes.length };
  }
}

function requestHeaders(validators: FeedValidators, userAgent: string): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent': userAgent,
    accept: 'application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1',
    'accept-encoding': 'gzip, deflate, br',
  };
  if (validators.etag) headers['if-none-match'] = validators.etag;
  if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
  return headers;
}

function nextLocation(current: URL, location: string): URL {
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    // The location is the server's text: it is not echoed.
    throw new FeedFetchError(
      'redirects',
      `bad redirect location from ${displayUrl(current.href)}`,
      displayUrl(current.href),
    );
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new FeedFetchError(
      'redirects',
      `redirect to a non-HTTP URL (${next.protocol}) from ${displayUrl(current.href)}`,
      displayUrl(current.href),
    );
  }
  return next;
}

function freshness(res: IncomingMessage): { freshForMs?: number } {
  const ms = freshnessMs(header(res, 'cache-control'), header(res, 'age'));
  return ms === null ? {} : { freshForMs: ms };
}

function header(res: IncomingMessage, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The addresses of the URL's host; a name that does not resolve fails like a connection would. */
async function resolve(url: URL, network: FeedNetwork, signal: AbortSignal): Promise<ResolvedAddress[]> {
  try {
    const addresses = await resolveUrl(url, network);
    if (signal.aborted) throw signal.reason;
    if (addresses.length === 0) throw Object.assign(new Error('no address'), { code: 'ENOTFOUND' });
    return addresses;
  } catch (error) {
    throw failure(error, signal, displayUrl(url.href));
  }
}

/**
 * A redirect must stay on the public internet: a feed's host (not the operator's) could otherwise point the
 * poller at a loopback, private or link-local service, such as a cloud metadata endpoint (169.254.169.254).
 * Every address the name resolves to is checked, and the connection goes to the checked one (`send`).
 */
function refusePrivate(addresses: readonly ResolvedAddress[], from: URL): void {
  for (const address of addresses) {
    const kind = privateKind(address);
    if (!kind) continue;
    const where = displayUrl(from.href);
    throw new FeedFetchError(
      'redirects',
      `refused a redirect to a ${kind} address (${address.address}) from ${where}; FEED_ALLOW_PRIVATE_REDIRECTS=1 allows it`,
      where,
      null,
      `the feed redirects to a ${kind} network address, which is refused`,
    );
  }
}

/** One GET to `address`; the signal destroys the socket (Node's http honours `signal`), whatever stage it is in. */
function send(
  url: URL,
  address: ResolvedAddress,
  headers: Record<string, string>,
  signal: AbortSignal,
  network: FeedNetwork,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => reject(failure(error, signal, displayUrl(url.href)));
    try {
      const req = network.connect(url, address, { method: 'GET', headers, signal, agent: false });
      req.on('response', resolve);
      req.on('error', fail);
      req.end();
    } catch (error) {
      fail(error);
    }
  });
}

/** Reads the (decompressed) body, stopping at the first byte over the cap, so a huge body costs no more. */
async function readBody(
  res: IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
  url: string,
): Promise<Buffer> {
  const tooLarge = () =>
    new FeedFetchError(
      'too-large',
      `body larger than ${formatBytes(maxBytes)} from ${url}`,
      url,
      null,
      `the feed is larger than ${formatBytes(maxBytes)}`,
    );
  const encoding = (header(res, 'content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' && Number(header(res, 'content-length') ?? 0) > maxBytes) {
    res.destroy();
    throw tooLarge();
  }
  const stream = decompressor(res, encoding);
  const stop = () => {
    res.destroy();
    stream.destroy();
  };
  signal.addEventListener('abort', stop, { once: true });
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge();
      chunks.push(chunk);
    }
    if (signal.aborted) throw signal.reason;
  } catch (error) {
    stop();
    throw failure(error, signal, url);
  } finally {
    signal.removeEventListener('abort', stop);
  }
  return Buffer.concat(chunks, size);
}

function decompressor(res: IncomingMessage, encoding: string): Readable {
  const make =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip
      : encoding === 'deflate'
        ? createInflate
        : encoding === 'br'
          ? createBrotliDecompress
          : null;
  if (!make) return res;
  const stream = make();
  res.on('error', (error) => stream.destroy(error));
  return res.pipe(stream);
}

/**
 * Our own errors pass through; a timeout beats whatever error the abort caused; the rest are network errors,
 * named by their code (a message may quote the server). `url` is already rendered by `displayUrl`.
 */
function failure(error: unknown, signal: AbortSignal, url: string): FeedFetchError {
  if (signal.aborted && signal.reason instanceof FeedFetchError) return signal.reason;
  if (error instanceof FeedFetchError) return error;
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  const message = code ? networkReason(code) : error instanceof Error ? error.message : String(error);
  return new FeedFetchError('network', `cannot fetch ${url}: ${message}`, url, null, networkChatReason(code));
}
