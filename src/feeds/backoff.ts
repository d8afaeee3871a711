import type { FeedState, HostHold } from './feed-state.js';
import { FeedFetchError } from './errors.js';
import type { FetchResult } from './fetch-types.js';

/** Exponential backoff of a failing feed: `baseMs`, doubled per consecutive failure, at most `maxMs`. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 60_000, maxMs: 3_600_000 };

/** The wait after the n-th consecutive failure (n ≥ 1). */
export function backoffDelay(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 30);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
}

/** True while a failing feed should not be fetched yet. */
export function isBackingOff(state: FeedState, now: Date): boolean {
  return state.nextAttemptAt !== null && Date.parse(state.nextAttemptAt) > now.getTime();
}

/** True while the host's last answer is still fresh (`Cache-Control: max-age`): fetching again would be rude. */
export function isFresh(state: FeedState, now: Date): boolean {
  return state.hostHold?.why === 'max-age' && Date.parse(state.hostHold.until) > now.getTime();
}

function hold(why: HostHold['why'], ms: number | null | undefined, now: Date): HostHold | null {
  return ms ? { until: new Date(now.getTime() + ms).toISOString(), why, ms } : null;
}

/** The state after a successful fetch (200 or 304): failures cleared, validators and final URL kept. */
export function succeeded(state: FeedState, fetched: FetchResult, now: Date): FeedState {
  const at = now.toISOString();
  return {
    ...state,
    lastStatus: fetched.status,
    lastAttemptAt: at,
    lastSuccessAt: at,
    consecutiveFailures: 0,
    nextAttemptAt: null,
    lastError: null,
    etag: fetched.etag,
    lastModified: fetched.lastModified,
    resolvedUrl: fetched.url,
    hostHold: hold('max-age', fetched.freshForMs, now),
  };
}

/**
 * The state after a failure: validators are left as they were, so a body that failed to parse or store is
 * fetched in full again rather than answered with a 304.
 */
export function failed(
  state: FeedState,
  error: unknown,
  message: string,
  now: Date,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  httpStatus: number | null = null,
): FeedState {
  const failures = state.consecutiveFailures + 1;
  const status = error instanceof FeedFetchError && error.status !== null ? error.status : httpStatus;
  // A host shedding load said when to come back: never sooner than that, never sooner than our own backoff.
  const asked = error instanceof FeedFetchError ? error.retryAfterMs : null;
  const wait = Math.max(backoffDelay(failures, policy), asked ?? 0);
  return {
    ...state,
    lastStatus: status ?? 'error',
    lastAttemptAt: now.toISOString(),
    consecutiveFailures: failures,
    nextAttemptAt: new Date(now.getTime() + wait).toISOString(),
    lastError: message,
    hostHold: hold('retry-after', asked, now),
  };
}
