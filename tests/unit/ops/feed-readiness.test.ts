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
    const states = { all: async () => [state('psf', ago(60_000)), state('insider', ago(100_000))] };
    const check = feedReadiness(states, ['psf', 'insider'], 30_000, Date.now() - 300_000);
    expect(await check()).toMatch(/^feed insider: last successful poll 100 s ago$/);
  });

  it('gives short intervals at least a minute, so scheduling jitter never flaps readiness', async () => {
    const states = { all: async () => [state('psf', ago(10_000)), state('insider', ago(70_000))] };
    const check = feedReadiness(states, ['psf', 'insider'], 1_000, Date.now() - 300_000);
    expect(await check()).toMatch(/^feed insider: last successful poll 70 s ago$/);
  });

  it('names a feed without any success only once the process has run three intervals', async () => {
    const states = { all: async () => [state('psf', null)] };
    expect(await feedReadiness(states, ['psf'], 30_000, Date.now() - 5_000)()).toBe(true);
    expect(await feedReadiness(states, ['psf'], 30_000, Date.now() - 91_000)()).toBe(
      'feed psf: no successful poll since start',
    );
  });
});
