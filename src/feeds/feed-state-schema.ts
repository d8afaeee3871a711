import { z } from 'zod';
import type { FeedState } from './feed-state.js';

/** The state of a feed never polled. */
export function emptyFeedState(feed: string): FeedState {
  return {
    feed,
    lastStatus: null,
    lastAttemptAt: null,
    lastSuccessAt: null,
    consecutiveFailures: 0,
    nextAttemptAt: null,
    lastError: null,
    etag: null,
    lastModified: null,
    resolvedUrl: null,
  };
}

/** A stored feed state, checked on the way back in (Redis is shared; a bad value must not crash a poll). */
export const FeedStateSchema = z.object({
  feed: z.string(),
  lastStatus: z.union([z.number().int(), z.literal('error'), z.null()]),
  lastAttemptAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  consecutiveFailures: z.number().int().min(0),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  resolvedUrl: z.string().nullable(),
  hostHold: z
    .object({ until: z.string(), why: z.enum(['max-age', 'retry-after']), ms: z.number().min(0) })
    .nullish(),
});
