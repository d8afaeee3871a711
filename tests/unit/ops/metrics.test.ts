import { describe, expect, it } from 'vitest';
import { Metrics, instrumentCommands, pollOutcome } from '../../../jobs/metrics.js';
import type { FeedState, FeedStateStore } from '../../../src/feeds/feed-state.js';
import type { CommandService } from '../../../src/commands/types.js';
import type { DeliveryCounters } from '../../../src/delivery/counters.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

function feedState(feed: string, lastSuccessAt: string | null): FeedState {
  return {
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
  };
}

/** An in-memory FeedStateStore with fixed states. */
function feedStore(states: FeedState[]): FeedStateStore {
  const byFeed = new Map(states.map((state) => [state.feed, state]));
  return {
    get: async (feed) => byFeed.get(feed) ?? feedState(feed, null),
    all: async (feeds) => feeds.map((feed) => byFeed.get(feed) ?? feedState(feed, null)),
    save: async (state) => void byFeed.set(state.feed, state),
  };
}

describe('Metrics', () => {
  it('maps HTTP statuses to the poll outcomes 200, 304 and error', () => {
    expect([200, 203, 304, 404, 500, 'error' as const].map(pollOutcome)).toEqual([
      '200',
      '200',
      '304',
      'error',
      'error',
      'error',
    ]);
  });

  it('exposes polls, posts seen, announcements and deliveries under their labels', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.recordPoll('psf', 200);
    metrics.recordPoll('psf', 304);
    metrics.recordPoll('psf', 304);
    metrics.recordPoll('insider', 'error');
    metrics.recordPostsSeen('psf', 3);
    metrics.recordAnnouncementsQueued('psf', 2);
    metrics.increment('discord', 'delivered');
    metrics.increment('slack', 'rate_limited');
    metrics.increment('slack', 'disabled');
    const text = await metrics.registry.metrics();
    expect(text).toContain('psf_polls_total{feed="psf",outcome="200"} 1');
    expect(text).toContain('psf_polls_total{feed="psf",outcome="304"} 2');
    expect(text).toContain('psf_polls_total{feed="insider",outcome="error"} 1');
    expect(text).toContain('psf_posts_seen_total{feed="psf"} 3');
    expect(text).toContain('psf_announcements_queued_total{feed="psf"} 2');
    expect(text).toContain('psf_deliveries_total{platform="discord",outcome="delivered"} 1');
    expect(text).toContain('psf_deliveries_total{platform="slack",outcome="rate_limited"} 1');
    expect(text).toContain('psf_deliveries_total{platform="slack",outcome="disabled"} 1');
  });

  it('counts a poll result: its outcome, posts seen (new and seeded) and announcements; nothing when skipped', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.recordPollResult({ feed: 'psf', status: 200, new: ['a', 'b'], seeded: 3 });
    metrics.recordPollResult({ feed: 'psf', status: 'error', new: [], seeded: 0, skipped: true });
    metrics.recordPollResult({ feed: 'psf', status: 'error', new: [], seeded: 0 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('psf_polls_total{feed="psf",outcome="200"} 1');
    expect(text).toContain('psf_polls_total{feed="psf",outcome="error"} 1');
    expect(text).toContain('psf_posts_seen_total{feed="psf"} 5');
    expect(text).toContain('psf_announcements_queued_total{feed="psf"} 2');
  });

  it("serves as the delivery job's DeliveryCounters", () => {
    const counters: DeliveryCounters = new Metrics({ defaultMetrics: false });
    expect(() => counters.increment('console', 'failed')).not.toThrow();
  });

  it('includes Node process metrics with the psf_ prefix by default', async () => {
    const text = await new Metrics().registry.metrics();
    expect(text).toContain('psf_process_resident_memory_bytes');
    expect(text).toContain('psf_nodejs_eventloop_lag_seconds');
  });

  it('reads seconds since each feed last succeeded at scrape time, +Inf for a feed that never did', async () => {
    const metrics = new Metrics({ defaultMetrics: false, now: () => NOW });
    const store = feedStore([feedState('psf', '2026-03-01T11:55:00Z')]);
    metrics.watchFeeds(store, ['psf', 'insider']);
    let text = await metrics.registry.metrics();
    expect(text).toContain('psf_feed_seconds_since_success{feed="psf"} 300');
    expect(text).toContain('psf_feed_seconds_since_success{feed="insider"} +Inf');
    await store.save(feedState('insider', '2026-03-01T11:59:30Z'));
    text = await metrics.registry.metrics();
    expect(text).toContain('psf_feed_seconds_since_success{feed="insider"} 30');
  });

  it('leaves the feed gauge empty, rather than failing the scrape, when the store cannot be read', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.watchFeeds({ ...feedStore([]), all: async () => Promise.reject(new Error('redis down')) }, [
      'psf',
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE psf_feed_seconds_since_success gauge');
    expect(text).not.toContain('psf_feed_seconds_since_success{');
  });
});

describe('instrumentCommands', () => {
  const service: CommandService = {
    handle: async (request) =>
      request.name === 'help' ? { kind: 'text', text: 'help' } : Promise.reject(new Error('boom')),
    suggestTags: async (partial) => [`${partial}s`],
  };
  const context = {
    platform: 'slack' as const,
    workspaceId: 'T1',
    channelId: 'C1',
    userId: 'U1',
    canManage: false,
  };

  it('observes each command under its name and platform and passes answers and errors through', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const instrumented = instrumentCommands(service, metrics, 'slack');
    expect(await instrumented.handle({ name: 'help', share: false }, context)).toEqual({
      kind: 'text',
      text: 'help',
    });
    await expect(instrumented.handle({ name: 'tags', share: false }, context)).rejects.toThrow('boom');
    expect(await instrumented.suggestTags('grant', 25)).toEqual(['grants']);
    const text = await metrics.registry.metrics();
    expect(text).toContain('psf_command_duration_seconds_count{command="help",platform="slack"} 1');
    expect(text).toContain('psf_command_duration_seconds_count{command="tags",platform="slack"} 1');
    expect(text).toContain('psf_command_duration_seconds_count{command="autocomplete",platform="slack"} 1');
    expect(text).toContain('psf_command_duration_seconds_bucket{le="0.005",command="help",platform="slack"}');
  });

  it("reports each platform's invalid-request count at scrape time, as the shared budget holds it", async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    let count = 12;
    metrics.watchInvalidRequests('discord', { invalidCount: async () => count });
    expect(await metrics.registry.metrics()).toContain('psf_invalid_requests{platform="discord"} 12');
    count = 40;
    expect(await metrics.registry.metrics()).toContain('psf_invalid_requests{platform="discord"} 40');
  });
});
