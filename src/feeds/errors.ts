/** Why a fetch failed; lets callers (and tests) tell a timeout from a refusal without reading the text. */
export type FeedFetchErrorCode = 'http' | 'timeout' | 'too-large' | 'redirects' | 'network' | 'file';

/**
 * A feed could not be fetched. The message is one plain line naming what and where, the URL rendered by
 * `displayUrl` (no credentials, no query string); `reason` says what failed without any URL, for chat.
 */
export class FeedFetchError extends Error {
  override readonly name = 'FeedFetchError';
  /** What failed in plain words, without the URL: what `status` shows to anyone in a channel. */
  readonly reason: string;
  /** On a 429 or 503: how long the host asked us to wait (`Retry-After`), when it said. */
  retryAfterMs: number | null = null;
  constructor(
    readonly code: FeedFetchErrorCode,
    message: string,
    /** The URL as `displayUrl` renders it. */
    readonly url: string,
    /** The HTTP status, when the server answered. */
    readonly status: number | null = null,
    reason?: string,
  ) {
    super(message);
    this.reason = reason ?? defaultReason(code, status);
  }
}

function defaultReason(code: FeedFetchErrorCode, status: number | null): string {
  switch (code) {
    case 'http':
      return `the feed answered HTTP ${status ?? 'error'}`;
    case 'timeout':
      return 'the feed did not answer in time';
    case 'too-large':
      return 'the feed is too large';
    case 'redirects':
      return 'the feed redirects too often or to an unusable address';
    case 'network':
      return 'cannot reach the feed';
    case 'file':
      return 'cannot read the feed file';
  }
}

/** Why a connection failed, in words an operator or a channel member acts on (one vocabulary for both). */
const NETWORK_WORDS: Record<string, string> = {
  ENOTFOUND: 'name not resolved',
  EAI_AGAIN: 'name not resolved (DNS did not answer)',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
};

/** For logs: the words with the system's code to search for (`connection refused (ECONNREFUSED)`). */
export function networkReason(code: string): string {
  const words = NETWORK_WORDS[code];
  return words ? `${words} (${code})` : code;
}

/** For chat: `cannot reach the feed: connection refused`, never a URL or the server's text. */
export function networkChatReason(code: string | undefined): string {
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') return 'the feed sent broken compressed data';
  const words = code === undefined ? undefined : NETWORK_WORDS[code];
  if (words) return `cannot reach the feed: ${words}`;
  if (code && /CERT|TLS|SSL/i.test(code)) return 'cannot reach the feed: TLS certificate problem';
  return 'cannot reach the feed';
}

/** What `status` shows for a failed poll: plain words, never a URL or the server's text. */
export function chatReason(error: unknown): string {
  if (error instanceof FeedFetchError) return error.reason;
  if (error instanceof FeedParseError) return error.reason;
  return 'the poll failed (see the logs)';
}

/** A body was fetched but is not an RSS or Atom feed; `reason` is plain words and never quotes the body. */
export class FeedParseError extends Error {
  override readonly name = 'FeedParseError';
  constructor(
    readonly feed: string,
    readonly reason: string,
  ) {
    super(`feed ${feed}: ${reason}`);
  }
}

/** `15s`, `1.5s`, `250ms`: durations as an operator reads them. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)}s`;
}

/** `20 MiB`, `512 KiB`, `100 bytes`. */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [1024 * 1024, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) {
      const value = bytes / size;
      return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
    }
  }
  return `${bytes} bytes`;
}
