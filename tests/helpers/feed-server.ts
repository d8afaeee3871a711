import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ARCHIVE_STARTS, archivePage, readFixture } from './fixtures.js';

/** How the fake feed host answers one path. */
export type FeedRoute =
  | {
      kind: 'body';
      body: string | Buffer;
      contentType?: string;
      status?: number;
      /** Sent as ETag; a matching If-None-Match gets a 304. */
      etag?: string;
      /** Sent as Last-Modified; an equal If-Modified-Since gets a 304. */
      lastModified?: string;
      gzip?: boolean;
      /** More headers on every answer, 304s included (`cache-control`, `age`). */
      headers?: Record<string, string>;
    }
  /** Blogger's paging over the fixture archive: `start-index` (1-based) and `max-results` (default 25, at most 150). */
  | { kind: 'archive' }
  | { kind: 'redirect'; location: string; status?: 301 | 302 | 303 | 307 | 308 }
  | { kind: 'fail'; status: number; headers?: Record<string, string> }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  /** Streams XML-ish bytes until the client goes away. */
  | { kind: 'endless' };

/** A request as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** Path and query. */
  url: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/** A local HTTP server standing in for a feed host; it records every request. */
export interface FeedServer {
  origin: string;
  url(pathAndQuery: string): string;
  requests: RecordedRequest[];
  /** Sets how a path (without query) is answered; `*` answers every path without its own route. */
  route(path: string, route: FeedRoute): void;
  /** Hung or endless requests whose sockets the client has closed. */
  readonly closedByClient: number;
  /** Resolves once `count` hung or endless requests have been closed by the client. */
  waitForClientClose(count?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a fake feed host on 127.0.0.1, port 0. */
export async function startFeedServer(routes: Record<string, FeedRoute> = {}): Promise<FeedServer> {
  const table = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  let closedByClient = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const clientClosed = () => {
    closedByClient += 1;
    for (const waiter of waiters.filter((w) => closedByClient >= w.count)) waiter.resolve();
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://feeds.invalid');
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      url: req.url ?? '/',
      query: url.searchParams,
      headers: req.headers,
    });
    const route = table.get(url.pathname) ?? table.get('*');
    if (!route) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    answer(route, url, req, res, clientClosed);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (pathAndQuery) => `${origin}${pathAndQuery.startsWith('/') ? '' : '/'}${pathAndQuery}`,
    requests,
    route: (path, route) => void table.set(path, route),
    get closedByClient() {
      return closedByClient;
    },
    waitForClientClose: (count = 1) =>
      closedByClient >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(
  route: FeedRoute,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  clientClosed: () => void,
): void {
  switch (route.kind) {
    case 'body':
      return answerBody(route, req, res);
    case 'archive':
      return answerBody({ kind: 'body', body: archiveSlice(url.searchParams), contentType: ATOM }, req, res);
    case 'redirect':
      return void res.writeHead(route.status ?? 301, { location: route.location }).end();
    case 'fail':
      return void res
        .writeHead(route.status, { 'content-type': 'text/html', ...route.headers })
        .end(`<html><body>${route.status}</body></html>`);
    case 'hang':
      req.socket.once('close', clientClosed);
      return;
    case 'endless':
      return endless(req, res, clientClosed);
  }
}

const ATOM = 'application/atom+xml; charset=UTF-8';

function answerBody(
  route: Extract<FeedRoute, { kind: 'body' }>,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const headers: Record<string, string> = { 'content-type': route.contentType ?? ATOM, ...route.headers };
  if (route.etag) headers.etag = route.etag;
  if (route.lastModified) headers['last-modified'] = route.lastModified;
  const notModified =
    (route.etag !== undefined && req.headers['if-none-match'] === route.etag) ||
    (route.etag === undefined &&
      route.lastModified !== undefined &&
      req.headers['if-modified-since'] === route.lastModified);
  if (notModified) return void res.writeHead(304, headers).end();
  let body = typeof route.body === 'string' ? Buffer.from(route.body, 'utf8') : route.body;
  if (route.gzip) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  res.writeHead(route.status ?? 200, { ...headers, 'content-length': String(body.length) }).end(body);
}

function endless(req: IncomingMessage, res: ServerResponse, clientClosed: () => void): void {
  req.socket.once('close', clientClosed);
  res.writeHead(200, { 'content-type': ATOM });
  const chunk = Buffer.alloc(64 * 1024, '<x/>');
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

let archive: { head: string; entries: string[] } | undefined;

/** The archive split once into the feed head and its 733 `<entry>` elements. */
function loadArchive(): { head: string; entries: string[] } {
  if (archive) return archive;
  const entries: string[] = [];
  let head = '';
  for (const start of ARCHIVE_STARTS) {
    const text = readFixture(archivePage(start));
    const first = text.indexOf('<entry>');
    if (start === 1) head = text.slice(0, first);
    const body = text.slice(first, text.lastIndexOf('</feed>'));
    entries.push(
      ...body
        .split('</entry>')
        .filter((part) => part.includes('<entry>'))
        .map((part) => `${part}</entry>`),
    );
  }
  archive = { head, entries };
  return archive;
}

/** One page of the archive as Blogger would answer `?start-index=&max-results=`, whatever the host. */
export function archiveSlice(query: URLSearchParams): string {
  const { head, entries } = loadArchive();
  const start = Math.max(1, Number(query.get('start-index') ?? 1) || 1);
  const max = Math.min(150, Math.max(1, Number(query.get('max-results') ?? 25) || 25));
  const page = head
    .replace(/<openSearch:startIndex>\d+</, `<openSearch:startIndex>${start}<`)
    .replace(/<openSearch:itemsPerPage>\d+</, `<openSearch:itemsPerPage>${max}<`);
  return `${page}${entries.slice(start - 1, start - 1 + max).join('')}</feed>`;
}
