import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptedAnnouncer } from '../../../src/delivery/scripted-announcer.js';
import type { DigestSchedule } from '../../../src/digests/period.js';
import type { Post } from '../../../src/posts/post.js';
import { upsertDigestSchedulers } from '../../../jobs/delivery/digest-schedule.js';
import { digestLedgerKey, digestSchedulerId, QUEUE } from '../../../jobs/queues.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;
const harnesses: Harness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0).reverse()) await harness.close();
});

const SCHEDULE: DigestSchedule = { hour: 15, minute: 0, weekday: 1 };
const CREATED = '2026-11-01T00:00:00.000Z';
/** The test's clock: announcement times and the planner's "now" both read it. */
let clock = new Date('2026-12-01T09:00:00Z');
const at = (iso: string) => (clock = new Date(iso));

const perPost = makeSubscription(1, { createdAt: CREATED });
const daily = (i: number) => makeSubscription(i, { createdAt: CREATED, options: { digest: 'daily' } });
const weekly = (i: number) => makeSubscription(i, { createdAt: CREATED, options: { digest: 'weekly' } });

async function start(
  announcer: ScriptedAnnouncer,
  posts: Post[],
  subscriptions = [perPost, daily(2)],
  options: { prefix?: string; schedule?: DigestSchedule } = {},
) {
  const harness = await startHarness({
    prefix: options.prefix ?? uniquePrefix('delivery-digest'),
    announcers: { console: announcer },
    posts,
    subscriptions,
    digests: { schedule: options.schedule ?? SCHEDULE, now: () => clock },
  });
  harnesses.push(harness);
  return harness;
}

/** Announces posts at the clock's time, and waits until fan-out and delivery are done. */
async function announce(harness: Harness, ...posts: Post[]) {
  await harness.sink.enqueue(posts);
  await waitFor(() => harness.idle(), 'announcements handled');
}

let fired = 0;
/** What the digest job scheduler does at a boundary (or late, after downtime): one `digest` planning job. */
async function fire(harness: Harness, cadence: 'daily' | 'weekly') {
  fired += 1;
  await harness.digestQueue.add('digest', { cadence }, { jobId: `test-tick-${fired}` });
  await waitFor(() => harness.idle(), 'digest planned and delivered');
}

const listed = (announcer: ScriptedAnnouncer) =>
  announcer.digests.map((sent) => ({
    channel: sent.target.channelId,
    period: sent.digest.periodEnd,
    posts: sent.digest.posts.map((post) => post.title),
  }));

describe('digests', () => {
  it('at the boundary sends one message listing the period’s posts, newest first, and nothing per post', async () => {
    const announcer = new ScriptedAnnouncer('console');
    const posts = [1, 2, 3, 4].map((i) => makePost(i));
    const harness = await start(announcer, posts);
    at('2026-12-01T10:00:00Z');
    await announce(harness, posts[0]!);
    at('2026-12-01T14:59:59Z');
    await announce(harness, posts[1]!);
    at('2026-12-01T15:00:00Z');
    await announce(harness, posts[2]!);
    at('2026-12-01T15:00:01Z');
    await announce(harness, posts[3]!);
    expect(announcer.sent.map((sent) => sent.target.channelId)).toEqual(['c1', 'c1', 'c1', 'c1']);
    expect(announcer.digests).toEqual([]);

    await fire(harness, 'daily');
    expect(listed(announcer)).toEqual([
      {
        channel: 'c2',
        period: '2026-12-01T15:00:00.000Z',
        posts: ['Post number 3', 'Post number 2', 'Post number 1'],
      },
    ]);
    const channel = { platform: 'console' as const, workspaceId: 'w1', channelId: 'c2' };
    expect(await harness.ledger.get(digestLedgerKey('daily-2026-12-01'), channel)).not.toBeNull();

    at('2026-12-02T15:00:00Z');
    await fire(harness, 'daily');
    expect(listed(announcer).map((digest) => digest.posts)).toEqual([
      ['Post number 3', 'Post number 2', 'Post number 1'],
      ['Post number 4'],
    ]);
  });

  it('sends nothing at all for an empty period, then lists only what came after', async () => {
    const announcer = new ScriptedAnnouncer('console');
    const posts = [makePost(1)];
    const harness = await start(announcer, posts);
    at('2026-12-01T15:00:00Z');
    await fire(harness, 'daily');
    expect(announcer.digests).toEqual([]);
    expect(announcer.calls).toEqual([]);

    at('2026-12-02T08:00:00Z');
    await announce(harness, posts[0]!);
    at('2026-12-02T15:00:00Z');
    await fire(harness, 'daily');
    expect(listed(announcer)).toEqual([
      { channel: 'c2', period: '2026-12-02T15:00:00.000Z', posts: ['Post number 1'] },
    ]);
  });

  it('after downtime across a boundary sends the missed period once, late, with everything since the last digest', async () => {
    const announcer = new ScriptedAnnouncer('console');
    const posts = [1, 2, 3].map((i) => makePost(i));
    const harness = await start(announcer, posts);
    at('2026-12-01T10:00:00Z');
    await announce(harness, posts[0]!);
    at('2026-12-01T15:00:00Z');
    await fire(harness, 'daily');
    at('2026-12-01T16:00:00Z');
    await announce(harness, posts[1]!);
    // Down from 16:00 on the 1st until 09:00 on the 4th: the boundaries of the 2nd and 3rd passed unseen. The
    // scheduler's waiting job runs when the workers are back, and may run twice (two processes restarting).
    at('2026-12-04T09:00:00Z');
    await fire(harness, 'daily');
    at('2026-12-04T09:05:00Z');
    await fire(harness, 'daily');
    at('2026-12-04T10:00:00Z');
    await announce(harness, posts[2]!);
    at('2026-12-04T15:00:00Z');
    await fire(harness, 'daily');

    expect(listed(announcer)).toEqual([
      { channel: 'c2', period: '2026-12-01T15:00:00.000Z', posts: ['Post number 1'] },
      { channel: 'c2', period: '2026-12-03T15:00:00.000Z', posts: ['Post number 2'] },
      { channel: 'c2', period: '2026-12-04T15:00:00.000Z', posts: ['Post number 3'] },
    ]);
  });

  it('sends one digest per channel when two workers plan the same boundary, even after the jobs are gone', async () => {
    const announcer = new ScriptedAnnouncer('console');
    const posts = [makePost(1), makePost(2)];
    const subscriptions = [perPost, daily(2), daily(3), daily(4)];
    const first = await start(announcer, posts, subscriptions);
    const prefix = (first.announceQueue.opts.prefix ?? '') as string;
    const second = await start(announcer, posts, subscriptions, { prefix });
    at('2026-12-01T11:00:00Z');
    await announce(first, ...posts);
    at('2026-12-01T15:00:00Z');
    await Promise.all([
      first.digestQueue.add('digest', { cadence: 'daily' }, { jobId: 'tick-a' }),
      second.digestQueue.add('digest', { cadence: 'daily' }, { jobId: 'tick-b' }),
    ]);
    await waitFor(async () => (await first.idle()) && (await second.idle()), 'both planners done');
    expect(
      listed(announcer)
        .map((digest) => digest.channel)
        .sort(),
    ).toEqual(['c2', 'c3', 'c4']);

    // Completed jobs expire; the ledger still knows each channel had this period's digest.
    await first.deliverQueues.console!.clean(0, 1000, 'completed');
    await fire(second, 'daily');
    expect(announcer.digests).toHaveLength(3);
    expect(announcer.sent).toHaveLength(2);
  });

  it('sends weekly digests on DIGEST_WEEKDAY only, listing the whole week', async () => {
    const announcer = new ScriptedAnnouncer('console');
    const posts = [makePost(1), makePost(2)];
    const wednesday: DigestSchedule = { hour: 15, minute: 0, weekday: 3 };
    const harness = await start(announcer, posts, [weekly(5)], { schedule: wednesday });
    at('2026-11-30T10:00:00Z'); // Monday
    await announce(harness, posts[0]!);
    at('2026-12-01T10:00:00Z'); // Tuesday
    await announce(harness, posts[1]!);
    at('2026-12-01T15:00:00Z'); // Tuesday at the time: last week's period, which had nothing
    await fire(harness, 'weekly');
    expect(announcer.digests).toEqual([]);
    at('2026-12-02T15:00:00Z'); // Wednesday
    await fire(harness, 'weekly');
    expect(listed(announcer)).toEqual([
      { channel: 'c5', period: '2026-12-02T15:00:00.000Z', posts: ['Post number 2', 'Post number 1'] },
    ]);
  });
});

describe('digest job schedulers', () => {
  it('fire daily at DIGEST_TIME and weekly on DIGEST_WEEKDAY, in UTC, and move when the time changes', async () => {
    const prefix = uniquePrefix('delivery-digest-cron');
    const connection = testRedisOptions();
    const queue = new Queue(QUEUE.digest, { connection, prefix });
    try {
      await upsertDigestSchedulers({ connection, prefix }, { hour: 15, minute: 0, weekday: 3 });
      const dailyNext = new Date((await queue.getJobScheduler(digestSchedulerId('daily')))!.next!);
      const weeklyNext = new Date((await queue.getJobScheduler(digestSchedulerId('weekly')))!.next!);
      expect(dailyNext.toISOString().slice(11)).toBe('15:00:00.000Z');
      expect(weeklyNext.toISOString().slice(11)).toBe('15:00:00.000Z');
      expect(weeklyNext.getUTCDay()).toBe(3);
      expect(weeklyNext.getTime() - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
      // The waiting job names its scheduler and boundary: the planner plans that boundary, not the clock's.
      const waiting = await queue.getDelayed();
      expect(waiting.map((job) => [job.repeatJobKey, job.opts.prevMillis]).sort()).toEqual(
        [
          ['digest-daily', dailyNext.getTime()],
          ['digest-weekly', weeklyNext.getTime()],
        ].sort(),
      );

      await upsertDigestSchedulers({ connection, prefix }, { hour: 7, minute: 30, weekday: 0 });
      const moved = await queue.getJobScheduler(digestSchedulerId('weekly'));
      expect(moved?.pattern).toBe('30 7 * * 0');
      expect(new Date(moved!.next!).getUTCDay()).toBe(0);
      expect(await queue.getJobSchedulersCount()).toBe(2);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
