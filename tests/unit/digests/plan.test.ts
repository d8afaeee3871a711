import type { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createDigestPlanner, type DigestJobQueue } from '../../../jobs/delivery/digest-plan.js';
import { BullAnnouncementSink, digestJobId } from '../../../jobs/queues.js';
import { MemoryAnnouncementLog } from '../../../src/digests/announcement-log.js';
import { silentLogger } from '../../../src/logger.js';
import { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { makePost, makeSubscription } from '../../helpers/delivery-fixtures.js';

const schedule = { hour: 15, minute: 0, weekday: 1 };
const BOUNDARY = Date.parse('2026-12-01T15:00:00Z');

async function plan(nowMs: number, job: { repeatJobKey?: string; prevMillis?: number }) {
  const subscriptions = new MemorySubscriptionStore();
  await subscriptions.put(makeSubscription(1, { options: { digest: 'daily' } }));
  await subscriptions.put(makeSubscription(2, { options: { digest: 'weekly' } }));
  await subscriptions.put(makeSubscription(3));
  await subscriptions.put(
    makeSubscription(4, { options: { digest: 'daily' }, disabledReason: 'gone', disabledAt: 'x' }),
  );
  const added: {
    data: { periodKey: string; channelId: string };
    opts: { jobId?: string; delay?: number };
  }[] = [];
  const queue: DigestJobQueue = { addBulk: async (jobs) => void added.push(...jobs) };
  const planner = createDigestPlanner({
    subscriptions,
    deliverQueues: { console: queue },
    jobOptions: { attempts: 3 },
    schedule,
    now: () => new Date(nowMs),
    logger: silentLogger(),
  });
  const opts = job.prevMillis === undefined ? {} : { prevMillis: job.prevMillis };
  const result = await planner({
    id: 'tick',
    data: { cadence: 'daily' },
    opts,
    ...(job.repeatJobKey ? { repeatJobKey: job.repeatJobKey } : {}),
  });
  return { result, added };
}

describe('the digest planner', () => {
  it('queues one delayed digest per enabled daily channel, with an id per channel and period', async () => {
    const { result, added } = await plan(BOUNDARY + 2, {
      repeatJobKey: 'digest-daily',
      prevMillis: BOUNDARY,
    });
    expect(result).toEqual({ period: 'daily-2026-12-01', queued: 1 });
    expect(added).toHaveLength(1);
    expect(added[0]!.data).toMatchObject({ channelId: 'c1', periodKey: 'daily-2026-12-01' });
    const channel = { platform: 'console' as const, workspaceId: 'w1', channelId: 'c1' };
    expect(added[0]!.opts.jobId).toBe(digestJobId(channel, 'daily-2026-12-01'));
    // Built 10 s after the boundary, so an announcement being written at the boundary is in it.
    expect(added[0]!.opts.delay).toBe(9_998);
  });

  it('plans the boundary its scheduler job was made for even when this worker’s clock lags behind', async () => {
    const early = await plan(BOUNDARY - 300, { repeatJobKey: 'digest-daily', prevMillis: BOUNDARY });
    expect(early.result.period).toBe('daily-2026-12-01');
    const manual = await plan(BOUNDARY - 300, {});
    expect(manual.result.period).toBe('daily-2026-11-30');
  });
});

describe('announcing for digests', () => {
  it('logs each post when it is queued, at its announcement time, before any fan-out runs', async () => {
    const announcements = new MemoryAnnouncementLog();
    const queue = { addBulk: async () => [] } as unknown as Queue;
    const at = new Date(BOUNDARY - 1);
    await new BullAnnouncementSink(queue, () => at, announcements).enqueue([makePost(1), makePost(2)]);
    const logged = await announcements.between(new Date(BOUNDARY - 86_400_000), new Date(BOUNDARY));
    expect(logged.map((entry) => [entry.id, entry.announcedAt])).toEqual([
      [makePost(1).id, at],
      [makePost(2).id, at],
    ]);
  });
});
