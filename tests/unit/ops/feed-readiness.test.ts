import { describe, expect, it } from 'vitest';
import type { FeedState } from '../../../src/feeds/feed-state.js';
import { feedReadiness } from '../../../jobs/parts/feed-readiness.js';

const state = (feed: string, lastSuccessAt: string | null): FeedState => ({
  feed,
  lastStatus: 200,
  lastAttemptAt: lastSuccessAt,
  lastSuccessAt,
  consecutiveFailures: 0,
  nextAttemptAt: null,
  lastError: null,
  etag: null,
  lastModified: null,
  resolvedUrl: null,
});
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

describe('the feeds readiness check', () => {
  it('names each feed whose last successful poll is older than three intervals', async () => {
    const states = { all: async () => [state('psf', ago(10_000)), state('insider', ago(40_000))] };
    const check = feedReadiness(states, ['psf', 'insider'], 10_000, Date.now() - 100_000);
    expect(await check()).toMatch(/^feed insider: last successful poll 40 s ago$/);
  });

  it('names a feed without any success only once the process has run three intervals', async () => {
    const states = { all: async () => [state('psf', null)] };
    expect(await feedReadiness(states, ['psf'], 10_000, Date.now() - 5_000)()).toBe(true);
    expect(await feedReadiness(states, ['psf'], 10_000, Date.now() - 31_000)()).toBe(
      'feed psf: no successful poll since start',
    );
  });
});
