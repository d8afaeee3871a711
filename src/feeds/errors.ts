/** Why a fetch failed; lets callers (and tests) tell a timeout from a refusal without reading the text. */
export type FeedFetchErrorCode = 'http' | 'timeout' | 'too-large' | 'redirects' | 'network' | 'file';

/** A feed could not be fetched; the message is one plain line naming what and where. */
export class FeedFetchError extends Error {
  override readonly name = 'FeedFetchError';
  constructor(
    readonly code: FeedFetchErrorCode,
    message: string,
    readonly url: string,
    /** The HTTP status, when the server answered. */
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/** A body was fetched but is not an RSS or Atom feed. */
export class FeedParseError extends Error {
  override readonly name = 'FeedParseError';
  constructor(
    readonly feed: string,
    message: string,
  ) {
    super(`feed ${feed}: ${message}`);
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
