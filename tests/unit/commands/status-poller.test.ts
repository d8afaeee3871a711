import { describe, expect, it } from 'vitest';
import { CommandCore } from '../../../src/commands/command-core.js';
import type { PollerHealth, Reply } from '../../../src/commands/types.js';
import type { FeedState } from '../../../src/feeds/feed-state.js';
import { MEMBER, NOW, makeCore } from './core-fixture.js';

// `status` with the running poller's state from Redis (the PollerHealth port jobs/ supplies).

const text = (reply: Reply) => (reply.kind === 'text' ? reply.text : JSON.stringify(reply));

async function statusWith(
  poller: PollerHealth,
  backoffUntil?: string,
  hostHold?: FeedState['hostHold'],
): Promise<string> {
  const { core: _core, ...deps } = await makeCore([], ['psf']);
  if (hostHold) {
    await deps.feedStates.save({
      feed: 'psf',
      lastStatus: 304,
      lastAttemptAt: NOW.toISOString(),
      lastSuccessAt: NOW.toISOString(),
      consecutiveFailures: 0,
      nextAttemptAt: null,
      lastError: null,
      etag: '"v1"',
      lastModified: null,
      resolvedUrl: null,
      hostHold,
    });
  }
  if (backoffUntil) {
    await deps.feedStates.save({
      feed: 'psf',
      lastStatus: 'error',
      lastAttemptAt: NOW.toISOString(),
      lastSuccessAt: null,
      consecutiveFailures: 3,
      nextAttemptAt: backoffUntil,
      lastError: 'cannot reach the feed: connection refused',
      etag: null,
      lastModified: null,
      resolvedUrl: null,
    });
  }
  const core = new CommandCore({ ...deps, poller });
  return text(await core.handle({ name: 'status', share: false }, MEMBER));
}

const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

describe('status and the poller', () => {
  it('gives the schedule the running poller registered, not this process setting', async () => {
    const reply = await statusWith({
      state: async () => ({
        workers: 2,
        schedules: [{ feed: 'psf', everyMs: 3_600_000, nextAt: at(600_000) }],
      }),
    });
    expect(reply.split('\n')[0]).toBe('Poller: running (2 workers).');
    expect(reply).toContain('next poll in 10 minutes (every 1 hour).');
  });

  it('holds a failing feed back until its backoff ends, with or without the next tick known', async () => {
    const schedule = (nextAt: string | null) => ({
      state: async () => ({ workers: 1, schedules: [{ feed: 'psf', everyMs: 300_000, nextAt }] }),
    });
    expect(await statusWith(schedule(at(60_000)), at(1_200_000))).toContain(
      'next poll in 20 minutes (every 5 minutes).',
    );
    expect(await statusWith(schedule(null), at(1_200_000))).toContain(
      'next poll in 20 minutes (every 5 minutes).',
    );
    expect(await statusWith(schedule(at(60_000)))).toContain('next poll in 1 minute (every 5 minutes).');
  });

  it('says plainly when no poller is running', async () => {
    const reply = await statusWith({
      state: async () => ({ workers: 0, schedules: [{ feed: 'psf', everyMs: 300_000, nextAt: at(1) }] }),
    });
    expect(reply.split('\n')[0]).toMatch(/^No poller is running: no feed is being polled\./);
    expect(reply).toContain('next poll when a poller starts.');
  });

  it('lists a feed the poller schedules though this process does not configure it', async () => {
    const reply = await statusWith({
      state: async () => ({
        workers: 1,
        schedules: [
          { feed: 'psf', everyMs: 300_000, nextAt: at(60_000) },
          { feed: 'insider', everyMs: 300_000, nextAt: at(120_000) },
        ],
      }),
    });
    expect(reply).toContain(
      'Feed insider: 0 posts indexed; never polled successfully; next poll in 2 minutes',
    );
  });

  it('says when Redis will not tell whether a poller runs, or the schedule cannot be read', async () => {
    expect(await statusWith({ state: async () => ({ workers: null, schedules: [] }) })).toMatch(
      /^Poller: Redis does not say whether one is running\.\nFeed psf: .*next poll never: the running poller has no schedule for this feed\./,
    );
    expect(
      await statusWith({
        state: async () => {
          throw new Error('NOPERM');
        },
      }),
    ).toMatch(/^Poller: its schedule could not be read\./);
  });

  it("shows the interval the host's Cache-Control or Retry-After stretched, and the next poll after it", async () => {
    const schedule = {
      state: async () => ({ workers: 1, schedules: [{ feed: 'psf', everyMs: 60_000, nextAt: at(30_000) }] }),
    };
    const fresh = await statusWith(schedule, undefined, { until: at(270_000), why: 'max-age', ms: 300_000 });
    expect(fresh).toContain('next poll in 4 minutes (every 1 minute).');
    expect(fresh).toContain(
      "Polled every 5 minutes, not every 1 minute: the feed's host says its answer stays fresh for 5 minutes (Cache-Control max-age).",
    );
    const asked = await statusWith(schedule, undefined, {
      until: at(600_000),
      why: 'retry-after',
      ms: 600_000,
    });
    expect(asked).toContain("The feed's host asked to wait 10 minutes (Retry-After): no fetch before then.");
    // A hold that has ended says nothing.
    const over = await statusWith(schedule, undefined, { until: at(-1_000), why: 'max-age', ms: 300_000 });
    expect(over).not.toContain('Cache-Control');
    expect(over).toContain('next poll in 30 seconds (every 1 minute).');
  });
});
