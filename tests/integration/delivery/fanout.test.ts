import { afterEach, describe, expect, it } from 'vitest';
import { postKey } from '../../../src/posts/identity.js';
import { ScriptedAnnouncer } from '../../../src/delivery/scripted-announcer.js';
import { BullAnnouncementSink } from '../../../jobs/queues.js';
import {
  makePost,
  makePosts,
  makeSubscription,
  uniquePrefix,
  waitFor,
} from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const pairs = (announcer: ScriptedAnnouncer) =>
  announcer.sent.map((s) => `${s.post.id}>${s.target.channelId}`);
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('fan-out and delivery', () => {
  it('delivers 3 posts to 50 subscriptions exactly once each: 150 at the platform', async () => {
    const announcer = new ScriptedAnnouncer('console');
    const posts = makePosts(3);
    const subscriptions = Array.from({ length: 50 }, (_, i) => makeSubscription(i));
    harness = await startHarness({
      prefix: uniquePrefix('delivery-fanout'),
      announcers: { console: announcer },
      posts,
      subscriptions,
      concurrency: { console: 8 },
      limits: { console: { max: 1000, duration: 1000 } },
    });
    await harness.sink.enqueue(posts);
    await waitFor(async () => announcer.sent.length >= 150 && (await harness!.idle()), '150 deliveries');
    await settle();

    expect(announcer.sent).toHaveLength(150);
    expect(new Set(pairs(announcer)).size).toBe(150);
    for (const post of posts)
      expect(await harness.ledger.forPost(postKey(post.feed, post.id))).toHaveLength(50);
    expect(harness.counters.get('console', 'delivered')).toBe(150);
  });

  it('delivers nothing more when the posts are announced again, even after their jobs are gone', async () => {
    const announcer = new ScriptedAnnouncer('console');
    const posts = makePosts(2);
    const subscriptions = Array.from({ length: 5 }, (_, i) => makeSubscription(i));
    harness = await startHarness({
      prefix: uniquePrefix('delivery-fanout'),
      announcers: { console: announcer },
      posts,
      subscriptions,
    });
    await harness.sink.enqueue(posts);
    await waitFor(async () => announcer.sent.length >= 10 && (await harness!.idle()), '10 deliveries');

    await harness.sink.enqueue(posts); // a re-poll: same announce ids, ignored by BullMQ
    await settle();
    expect(await harness.idle()).toBe(true);
    expect(await harness.announceQueue.getCompletedCount()).toBe(2);

    // Retention expired: every job removed. Fan-out runs again, the ledger stops every send.
    await harness.announceQueue.clean(0, 1000, 'completed');
    await harness.deliverQueues.console!.clean(0, 1000, 'completed');
    await harness.sink.enqueue(posts);
    await waitFor(
      async () => (await harness!.deliverQueues.console!.getCompletedCount()) === 10,
      'ten re-run deliver jobs',
    );
    const outcomes = (await harness.deliverQueues.console!.getCompleted()).map(
      (job) => job.returnvalue.status,
    );
    expect(outcomes).toEqual(Array(10).fill('already'));
    expect(announcer.sent).toHaveLength(10);
  });

  it('matches feeds and tags (any of, normalised) and skips disabled subscriptions', async () => {
    const announcer = new ScriptedAnnouncer('console');
    const posts = [
      makePost(0, { tags: ['Grants'] }),
      makePost(1, { tags: ['Board of Directors', 'PyCon US'] }),
    ];
    const subscriptions = [
      makeSubscription(1),
      makeSubscription(2, { feeds: ['insider'] }),
      makeSubscription(3, { tags: ['grants'] }),
      makeSubscription(4, { tags: ['board-of-directors', 'elections'] }),
      makeSubscription(5, {
        disabledReason: 'channel_not_found: gone',
        disabledAt: new Date().toISOString(),
      }),
      makeSubscription(6, { feeds: ['psf'], tags: ['PYCON_us'] }),
    ];
    harness = await startHarness({
      prefix: uniquePrefix('delivery-fanout'),
      announcers: { console: announcer },
      posts,
      subscriptions,
    });
    await harness.sink.enqueue(posts);
    await waitFor(async () => announcer.sent.length >= 5 && (await harness!.idle()), 'five deliveries');
    await settle();
    expect(pairs(announcer).sort()).toEqual(
      [
        `${posts[0]!.id}>c1`,
        `${posts[0]!.id}>c3`,
        `${posts[1]!.id}>c1`,
        `${posts[1]!.id}>c4`,
        `${posts[1]!.id}>c6`,
      ].sort(),
    );
  });

  it('gives a subscription the posts announced after it was created, and none announced before', async () => {
    const announcer = new ScriptedAnnouncer('console');
    const [older, newer] = makePosts(2);
    const announcedEarlier = new Date(Date.now() - 60_000);
    const subscriptions = [
      makeSubscription(1, { createdAt: new Date(announcedEarlier.getTime() - 1).toISOString() }),
      makeSubscription(2, { createdAt: new Date(announcedEarlier.getTime() + 1).toISOString() }),
    ];
    harness = await startHarness({
      prefix: uniquePrefix('delivery-fanout'),
      announcers: { console: announcer },
      posts: [older!, newer!],
      subscriptions,
    });
    // `older` was queued before c2 existed (its fan-out only runs now, e.g. after a backlog): c1 only.
    await new BullAnnouncementSink(harness.announceQueue, () => announcedEarlier).enqueue([older!]);
    await harness.sink.enqueue([newer!]);
    await waitFor(async () => announcer.sent.length >= 3 && (await harness!.idle()), 'three deliveries');
    await settle();
    expect(pairs(announcer).sort()).toEqual([`${older!.id}>c1`, `${newer!.id}>c1`, `${newer!.id}>c2`].sort());
  });
});
