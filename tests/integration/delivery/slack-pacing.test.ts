import { afterEach, describe, expect, it } from 'vitest';
import { ScriptedAnnouncer } from '../../../src/delivery/scripted-announcer.js';
import { makePosts, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('Slack per-channel pacing', () => {
  it('spaces messages to one channel, holds no other channel back, and spends no attempt waiting', async () => {
    const intervalMs = 400;
    const announcer = new ScriptedAnnouncer('slack');
    const posts = makePosts(3);
    const subscriptions = ['S1', 'S2', 'S3'].map((id, i) =>
      makeSubscription(i, { platform: 'slack', workspaceId: 'T1', channelId: id }),
    );
    harness = await startHarness({
      prefix: uniquePrefix('delivery-slack'),
      announcers: { slack: announcer },
      posts,
      subscriptions,
      slackIntervalMs: intervalMs,
      concurrency: { slack: 4 },
    });
    await harness.sink.enqueue(posts);
    await waitFor(async () => announcer.sent.length >= 9 && (await harness!.idle()), 'nine deliveries');

    expect(announcer.sent).toHaveLength(9);
    for (const id of ['S1', 'S2', 'S3']) {
      const times = announcer.sent
        .filter((s) => s.target.channelId === id)
        .map((s) => s.at)
        .sort((a, b) => a - b);
      expect(times).toHaveLength(3);
      // Redis's clock decides the slots, Date.now() stamps the sends: allow a few ms between the two.
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(intervalMs - 20);
      expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(intervalMs - 20);
    }
    // Each channel's first message went out before any channel's second: nobody waited on another's slot.
    const firsts = ['S1', 'S2', 'S3'].map((id) =>
      Math.min(...announcer.sent.filter((s) => s.target.channelId === id).map((s) => s.at)),
    );
    const seconds = announcer.sent.map((s) => s.at).sort((a, b) => a - b)[3]!;
    expect(Math.max(...firsts)).toBeLessThanOrEqual(seconds);
    const jobs = await harness.deliverQueues.slack!.getCompleted();
    expect(jobs.map((job) => job.attemptsMade)).toEqual(Array(9).fill(1));
  });
});
