import type { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptedAnnouncer } from '../../../src/delivery/scripted-announcer.js';
import { deliverJobId } from '../../../jobs/queues.js';
import { listFailedDeliveries, retryFailedDeliveries } from '../../../jobs/delivery/failed.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const post = makePost(0);
const channel = (i: number) => ({ platform: 'console' as const, workspaceId: 'w1', channelId: `c${i}` });
const jobOf = async (queue: Queue, i: number) => (await queue.getJob(deliverJobId(post, channel(i))))!;

describe('delivery failures', () => {
  it('delivers through transient failures and rate limits, spending no attempt on a rate limit', async () => {
    const announcer = new ScriptedAnnouncer('console')
      .failChannel('c1', { kind: 'transient', code: 'http_503' }, 2)
      .failChannel('c2', { kind: 'rate_limited', retryAfterMs: 300 }, 2)
      .failChannel('c3', { kind: 'unclassified' }, 1);
    const subscriptions = Array.from({ length: 6 }, (_, i) => makeSubscription(i));
    harness = await startHarness({
      prefix: uniquePrefix('delivery-fail'),
      announcers: { console: announcer },
      posts: [post],
      subscriptions,
    });
    await harness.sink.enqueue([post]);
    await waitFor(async () => announcer.sent.length >= 6 && (await harness!.idle()), 'six deliveries');

    expect(announcer.sent.map((s) => s.target.channelId).sort()).toEqual([
      'c0',
      'c1',
      'c2',
      'c3',
      'c4',
      'c5',
    ]);
    const queue = harness.deliverQueues.console!;
    expect((await jobOf(queue, 1)).attemptsMade).toBe(3);
    expect((await jobOf(queue, 2)).attemptsMade).toBe(1);
    expect((await jobOf(queue, 3)).attemptsMade).toBe(2);
    const c2 = announcer.calls.filter((call) => call.channelId === 'c2');
    expect(c2.map((call) => call.outcome)).toEqual(['rate_limited', 'rate_limited', 'accepted']);
    expect(c2[2]!.at - c2[1]!.at).toBeGreaterThanOrEqual(290);
    expect(harness.counters.snapshot().console).toEqual({
      delivered: 6,
      retried: 3,
      rate_limited: 2,
      failed: 0,
      disabled: 0,
      held: 0,
      unverified: 0,
    });
  });

  it('disables exactly the subscription that failed permanently; the others still get the post', async () => {
    const announcer = new ScriptedAnnouncer('console').failChannel('c3', {
      kind: 'permanent',
      code: 'channel_not_found',
    });
    const later = makePost(1);
    const subscriptions = Array.from({ length: 5 }, (_, i) => makeSubscription(i));
    harness = await startHarness({
      prefix: uniquePrefix('delivery-fail'),
      announcers: { console: announcer },
      posts: [post, later],
      subscriptions,
    });
    await harness.sink.enqueue([post]);
    await waitFor(async () => announcer.sent.length >= 4 && (await harness!.idle()), 'four deliveries');

    const failed = await jobOf(harness.deliverQueues.console!, 3);
    expect(await failed.getState()).toBe('failed');
    expect(failed.attemptsMade).toBe(1);
    const subs = await harness.subscriptions.list();
    expect(subs.filter((sub) => sub.disabledReason !== null).map((sub) => sub.channelId)).toEqual(['c3']);
    expect((await harness.subscriptions.get(channel(3)))?.disabledReason).toMatch(/^channel_not_found: /);
    expect(harness.counters.snapshot().console).toMatchObject({ delivered: 4, disabled: 1, failed: 1 });

    await harness.sink.enqueue([later]);
    await waitFor(async () => announcer.sent.length >= 8 && (await harness!.idle()), 'second post to four');
    expect(
      announcer.sent
        .filter((s) => s.post.id === later.id)
        .map((s) => s.target.channelId)
        .sort(),
    ).toEqual(['c0', 'c1', 'c2', 'c4']);
    expect(announcer.calls.filter((call) => call.channelId === 'c3')).toHaveLength(1);
  });

  it('keeps deliveries that exhausted their retries, lists them and re-drives them', async () => {
    const announcer = new ScriptedAnnouncer('console').failChannel(
      'c1',
      { kind: 'transient', code: 'http_502' },
      2,
    );
    const subscriptions = [makeSubscription(0), makeSubscription(1)];
    harness = await startHarness({
      prefix: uniquePrefix('delivery-fail'),
      announcers: { console: announcer },
      posts: [post],
      subscriptions,
      attempts: 2,
    });
    await harness.sink.enqueue([post]);
    const queues = { console: harness.deliverQueues.console! };
    await waitFor(
      async () => (await queues.console.getFailedCount()) === 1 && (await harness!.idle()),
      'one failed job',
    );

    const listed = await listFailedDeliveries(queues, harness.posts);
    expect(listed).toEqual([
      expect.objectContaining({
        jobId: deliverJobId(post, channel(1)),
        platform: 'console',
        channelId: 'c1',
        postId: post.id,
        title: post.title,
        attemptsMade: 2,
        lastError: 'scripted transient failure',
      }),
    ]);
    expect(Date.parse(listed[0]!.failedAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect(harness.counters.snapshot().console).toMatchObject({ delivered: 1, retried: 1, failed: 1 });

    expect(await retryFailedDeliveries(queues, ['deliver-unknown'])).toEqual({
      retried: [],
      notFound: ['deliver-unknown'],
    });
    expect(await retryFailedDeliveries(queues)).toEqual({
      retried: [deliverJobId(post, channel(1))],
      notFound: [],
    });
    await waitFor(async () => announcer.sent.length >= 2 && (await harness!.idle()), 're-driven delivery');
    expect(announcer.sent.map((s) => s.target.channelId).sort()).toEqual(['c0', 'c1']);
    expect(await listFailedDeliveries(queues, harness.posts)).toEqual([]);
    expect(await retryFailedDeliveries(queues)).toEqual({ retried: [], notFound: [] });
  });
});
