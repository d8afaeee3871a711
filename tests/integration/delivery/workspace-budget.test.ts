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

const redis = new Redis({ host: '127.0.0.1', port: 6379 });
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

/** Grant times (ms) of `channels` asking as paced jobs do: wait what the pacer says, ask again. */
async function grants(pacer: RedisWorkspaceBudgetPacer, channels: ChannelRef[]): Promise<number[]> {
  return Promise.all(
    channels.map(async (channel) => {
      for (;;) {
        const wait = await pacer.reserve(channel, 1_000, `job-${channel.workspaceId}-${channel.channelId}`);
        if (wait === 0) return Date.now();
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }),
  );
}

describe('Slack budget per workspace (RedisWorkspaceBudgetPacer)', () => {
  it('spaces one workspace’s channels by its budget and holds no other workspace back', async () => {
    const pacer = new RedisWorkspaceBudgetPacer(redis, `${prefix}:a`, 4);
    const waits = [];
    for (let i = 0; i < 6; i += 1) waits.push(await pacer.reserve(slack('TBUSY', `C${i}`), 1_000, `t${i}`));
    expect(waits[0]).toBe(0);
    // Distinct channels, one workspace at 4/s: slots a quarter of a second apart.
    waits.slice(1).forEach((wait, i) => {
      expect(wait).toBeGreaterThan((i + 1) * 250 - 50);
      expect(wait).toBeLessThanOrEqual((i + 1) * 250);
    });
    // Another workspace's first message goes at once, however far the busy one is booked.
    expect(await pacer.reserve(slack('TQUIET', 'C0'), 1_000, 'q0')).toBe(0);
    // The per-channel pacing still holds inside the workspace budget.
    expect(await pacer.reserve(slack('TQUIET', 'C0'), 1_000, 'q1')).toBeGreaterThan(900);
  });

  it('never lets more than the budget through in any second, even to jobs that woke late', async () => {
    const budget = 10;
    const pacer = new RedisWorkspaceBudgetPacer(redis, `${prefix}:b`, budget);
    const channels = Array.from({ length: 25 }, (_, i) => slack('TMANY', `C${i}`));
    const times = (await grants(pacer, channels)).sort((a, b) => a - b);
    expect(times).toHaveLength(25);
    // Granted on Redis's clock at least 1,020 ms apart; read here with a little scheduling noise on top.
    for (let i = 0; i + budget < times.length; i += 1) {
      expect(times[i + budget]! - times[i]!).toBeGreaterThanOrEqual(950);
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
