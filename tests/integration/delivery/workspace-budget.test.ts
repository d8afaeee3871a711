import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RedisWorkspaceBudgetPacer } from '../../../src/delivery/workspace-budget.js';
import { ScriptedAnnouncer } from '../../../src/delivery/scripted-announcer.js';
import type { ChannelRef } from '../../../src/subscriptions/subscription-store.js';
import {
  deleteKeys,
  makePosts,
  makeSubscription,
  uniquePrefix,
  waitFor,
} from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

const redis = new Redis(testRedisOptions());
const prefix = uniquePrefix('delivery-budget');
const slack = (workspaceId: string, channelId: string): ChannelRef => ({
  platform: 'slack',
  workspaceId,
  channelId,
});

type Harness = Awaited<ReturnType<typeof startHarness>>;
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

/**
 * When each of `channels` was granted, asking as paced jobs do (wait what the pacer says, ask again): the grant
 * happened on Redis's clock somewhere in [before, after] of the asking call that returned 0.
 */
async function grants(
  pacer: RedisWorkspaceBudgetPacer,
  channels: ChannelRef[],
): Promise<{ before: number; after: number }[]> {
  return Promise.all(
    channels.map(async (channel) => {
      for (;;) {
        const before = Date.now();
        const wait = await pacer.reserve(channel, 1_000, `job-${channel.workspaceId}-${channel.channelId}`);
        if (wait === 0) return { before, after: Date.now() };
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }),
  );
}

describe('Slack budget per workspace (RedisWorkspaceBudgetPacer)', () => {
  it('spaces one workspace’s channels by its budget and holds no other workspace back', async () => {
    const pacer = new RedisWorkspaceBudgetPacer(redis, `${prefix}:a`, 4);
    const start = Date.now();
    const waits: number[] = [];
    const elapsed: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      waits.push(await pacer.reserve(slack('TBUSY', `C${i}`), 1_000, `t${i}`));
      elapsed.push(Date.now() - start);
    }
    expect(waits[0]).toBe(0);
    // Distinct channels, one workspace at 4/s: slots a quarter of a second after the first grant, which came
    // after `start`; each wait is counted from its own call, at most `elapsed` after `start` (no timing margin
    // to guess: a loaded machine only widens the bound).
    waits.forEach((wait, i) => {
      expect(wait).toBeGreaterThanOrEqual(i * 250 - elapsed[i]!);
      expect(wait).toBeLessThanOrEqual(i * 250);
    });
    // Another workspace's first message goes at once, however far the busy one is booked.
    const quietStart = Date.now();
    expect(await pacer.reserve(slack('TQUIET', 'C0'), 1_000, 'q0')).toBe(0);
    // The per-channel pacing still holds inside the workspace budget: a second after the first.
    const second = await pacer.reserve(slack('TQUIET', 'C0'), 1_000, 'q1');
    expect(second).toBeGreaterThanOrEqual(1_000 - (Date.now() - quietStart));
    expect(second).toBeLessThanOrEqual(1_000);
  });

  it('never lets more than the budget through in any second, even to jobs that woke late', async () => {
    const budget = 10;
    const pacer = new RedisWorkspaceBudgetPacer(redis, `${prefix}:b`, budget);
    const channels = Array.from({ length: 25 }, (_, i) => slack('TMANY', `C${i}`));
    const granted = (await grants(pacer, channels)).sort((a, b) => a.before - b.before);
    expect(granted).toHaveLength(25);
    // Any budget + 1 grants span at least a second (1,020 ms on Redis's clock). Grants i..i+budget in this
    // order began no earlier than granted[i].before and ended by the latest `after` among them.
    for (let i = 0; i + budget < granted.length; i += 1) {
      const latest = Math.max(...granted.slice(i, i + budget + 1).map((grant) => grant.after));
      expect(latest - granted[i]!.before).toBeGreaterThanOrEqual(1_000);
    }
  });
});

describe('Slack delivery with a budget per workspace', () => {
  it('delivers a quiet workspace’s message while a busy one waits on its own budget', async () => {
    const announcer = new ScriptedAnnouncer('slack');
    const posts = makePosts(1);
    const busy = Array.from({ length: 8 }, (_, i) =>
      makeSubscription(i, { platform: 'slack', workspaceId: 'TBUSY', channelId: `CB${i}` }),
    );
    // Subscribed last, so its job is queued behind every job of the busy workspace.
    const quiet = makeSubscription(9, { platform: 'slack', workspaceId: 'TQUIET', channelId: 'CQ' });
    harness = await startHarness({
      prefix: uniquePrefix('delivery-budget-e2e'),
      announcers: { slack: announcer },
      posts,
      subscriptions: [...busy, quiet],
      workspaceRate: 3,
      concurrency: { slack: 4 },
    });
    await harness.sink.enqueue(posts);
    await waitFor(async () => announcer.sent.length >= 9 && (await harness!.idle()), 'nine deliveries');

    const order = announcer.sent.map((send) => send.target.workspaceId);
    expect(order.filter((workspace) => workspace === 'TBUSY')).toHaveLength(8);
    // 8 messages at 3 a second take about 2.5 s; the quiet workspace's one went out among the first.
    expect(order.indexOf('TQUIET')).toBeLessThan(3);
    const busyTimes = announcer.sent.filter((send) => send.target.workspaceId === 'TBUSY').map((s) => s.at);
    for (let i = 0; i + 3 < busyTimes.length; i += 1) {
      expect(busyTimes[i + 3]! - busyTimes[i]!).toBeGreaterThanOrEqual(950);
    }
  });
});
