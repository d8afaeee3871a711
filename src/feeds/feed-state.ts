/** What operators can read about a feed (DESIGN §2). Times are ISO-8601. */
export interface FeedState {
  feed: string;
  /** HTTP status of the last attempt, or `error` when it failed before or without one. */
  lastStatus: number | 'error' | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  consecutiveFailures: number;
  /** When backoff allows the next attempt; null when not backing off. */
  nextAttemptAt: string | null;
  lastError: string | null;
  /** Validators for conditional requests. */
  etag: string | null;
  lastModified: string | null;
  /** Where the last successful fetch ended after redirects. */
  resolvedUrl: string | null;
  /** The host asked not to be fetched again before `until` (absent or null: it asked nothing). */
  hostHold?: HostHold | null | undefined;
}

/** A wait the feed's host asked for: `Cache-Control: max-age` on a success, `Retry-After` on a 429 or 503. */
export interface HostHold {
  until: string;
  why: 'max-age' | 'retry-after';
  /** What the host asked for, capped (HOST_DELAY_CAP_MS). */
  ms: number;
}

/** Feed states in Redis (or memory in tests). */
export interface FeedStateStore {
  get(feed: string): Promise<FeedState>;
  all(feeds: string[]): Promise<FeedState[]>;
  save(state: FeedState): Promise<void>;
}
