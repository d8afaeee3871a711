import { DelayedError, UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { MemoryDeliveryCounters } from '../../../src/delivery/counters.js';
import { MemoryDeliveryLedger } from '../../../src/delivery/ledger.js';
import { ScriptedAnnouncer, type ScriptedFailure } from '../../../src/delivery/scripted-announcer.js';
import { silentLogger } from '../../../src/logger.js';
import { postKey } from '../../../src/posts/identity.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { createDeliverProcessor, type DeliverJobHandle } from '../../../jobs/delivery/deliver.js';
import { deliveryNonce } from '../../../jobs/queues.js';
import { makePost, makeSubscription } from '../../helpers/delivery-fixtures.js';

const post = makePost(1);
const channel = { platform: 'console' as const, workspaceId: 'w1', channelId: 'c1' };

async function setup(
  failure?: ScriptedFailure,
  options: { attemptsMade?: number; attempts?: number; paceWaitMs?: number } = {},
) {
  const announcer = new ScriptedAnnouncer('console');
  if (failure) announcer.failNext(1, failure);
  const posts = new MemoryPostStore();
  await posts.save([post]);
  const subscriptions = new MemorySubscriptionStore();
  await subscriptions.put(makeSubscription(1));
  const ledger = new MemoryDeliveryLedger();
  const counters = new MemoryDeliveryCounters();
  const rateLimits: number[] = [];
  const delayedUntil: number[] = [];
  const process = createDeliverProcessor({
    platform: 'console',
    announcer,
    posts,
    subscriptions,
    ledger,
    counters,
    logger: silentLogger(),
    rateLimit: async (ms) => void rateLimits.push(ms),
    ...(options.paceWaitMs !== undefined
      ? { pacing: { pacer: { reserve: async () => options.paceWaitMs! }, intervalMs: 1000 } }
      : {}),
  });
  const job = {
    id: 'job-1',
    data: { feed: post.feed, postId: post.id, announcedAt: new Date().toISOString(), ...channel },
    attemptsMade: options.attemptsMade ?? 0,
    opts: { attempts: options.attempts ?? 3 },
    moveToDelayed: async (at: number) => void delayedUntil.push(at),
  } as unknown as DeliverJobHandle;
  return {
    announcer,
    posts,
    job,
    subscriptions,
    ledger,
    counters,
    rateLimits,
    delayedUntil,
    run: () => process(job, 'token'),
  };
}

describe('the deliver processor', () => {
  it('sends with the deterministic nonce and writes the ledger after the platform accepted', async () => {
    const t = await setup();
    expect(await t.run()).toEqual({ status: 'delivered', messageId: 'console-1' });
    expect(t.announcer.sent[0]!.nonce).toBe(deliveryNonce(post, channel));
    expect(await t.ledger.get(postKey(post.feed, post.id), channel)).toMatchObject({
      messageId: 'console-1',
    });
    expect(t.counters.get('console', 'delivered')).toBe(1);
  });

  it('does nothing when the ledger already has the delivery', async () => {
    const t = await setup();
    await t.ledger.record(postKey(post.feed, post.id), channel, { messageId: 'old', deliveredAt: 'then' });
    expect(await t.run()).toEqual({ status: 'already', messageId: 'old' });
    expect(t.announcer.calls).toHaveLength(0);
  });

  it('skips a removed or disabled subscription', async () => {
    const t = await setup();
    await t.subscriptions.disable(channel, 'gone');
    expect(await t.run()).toMatchObject({ status: 'skipped' });
    await t.subscriptions.remove(channel);
    expect(await t.run()).toEqual({ status: 'skipped', reason: 'subscription removed' });
    expect(t.announcer.calls).toHaveLength(0);
  });

  it('pauses the queue only for a global rate limit, for the wait asked, spending no attempt', async () => {
    const t = await setup({ kind: 'rate_limited', retryAfterMs: 2500, scope: 'global' });
    await expect(t.run()).rejects.toThrow('bullmq:rateLimitExceeded');
    expect(t.rateLimits).toEqual([2500]);
    expect(t.counters.get('console', 'rate_limited')).toBe(1);
    expect(await t.ledger.forPost(postKey(post.feed, post.id))).toEqual([]);
  });

  it.each(['channel', 'workspace'] as const)(
    'delays only this job on a %s rate limit and leaves the queue running',
    async (scope) => {
      const t = await setup({ kind: 'rate_limited', retryAfterMs: 2500, scope });
      const before = Date.now();
      await expect(t.run()).rejects.toBeInstanceOf(DelayedError);
      expect(t.rateLimits).toEqual([]);
      expect(t.delayedUntil[0]).toBeGreaterThanOrEqual(before + 2500);
      expect(t.counters.get('console', 'rate_limited')).toBe(1);
    },
  );

  it('disables the subscription with the reason on a permanent failure and does not retry', async () => {
    const t = await setup({ kind: 'permanent', code: 'channel_not_found' });
    await expect(t.run()).rejects.toBeInstanceOf(UnrecoverableError);
    expect((await t.subscriptions.get(channel))?.disabledReason).toBe(
      'channel_not_found: scripted permanent failure',
    );
    expect(t.counters.snapshot().console).toMatchObject({ disabled: 1, failed: 1 });
  });

  it('fails only this delivery on a rejected message (50035): no retry, the channel stays enabled', async () => {
    const t = await setup({ kind: 'rejected' });
    const error = await t.run().then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toBe('50035: scripted invalid form body');
    expect((await t.subscriptions.get(channel))?.disabledReason).toBeNull();
    expect(t.counters.snapshot().console).toMatchObject({ failed: 1 });
    expect(t.counters.snapshot().console?.disabled ?? 0).toBe(0);
    expect(await t.ledger.get(postKey(post.feed, post.id), channel)).toBeNull();
  });

  it('rethrows transient and unknown failures for a retry, and counts the last attempt as failed', async () => {
    const first = await setup({ kind: 'transient' }, { attemptsMade: 0, attempts: 3 });
    await expect(first.run()).rejects.toThrow('scripted transient failure');
    expect(first.counters.snapshot().console).toMatchObject({ retried: 1, failed: 0 });
    const last = await setup({ kind: 'unclassified' }, { attemptsMade: 2, attempts: 3 });
    await expect(last.run()).rejects.toThrow('scripted unclassified failure');
    expect(last.counters.snapshot().console).toMatchObject({ retried: 0, failed: 1 });
    expect(await last.ledger.forPost(postKey(post.feed, post.id))).toEqual([]);
  });

  it('delays the job until shortly before the channel slot frees instead of sending', async () => {
    const t = await setup(undefined, { paceWaitMs: 700 });
    const before = Date.now();
    await expect(t.run()).rejects.toBeInstanceOf(DelayedError);
    const after = Date.now();
    expect(t.announcer.calls).toHaveLength(0);
    // Woken 100 ms early (promotion from delayed is not instant); the rest is waited out in the worker.
    expect(t.delayedUntil[0]).toBeGreaterThanOrEqual(before + 600);
    expect(t.delayedUntil[0]).toBeLessThanOrEqual(after + 600);
  });

  it('refuses a malformed payload without retrying', async () => {
    const t = await setup();
    const process = createDeliverProcessor({
      platform: 'console',
      announcer: t.announcer,
      posts: new MemoryPostStore(),
      subscriptions: t.subscriptions,
      ledger: t.ledger,
      counters: t.counters,
      logger: silentLogger(),
      rateLimit: async () => undefined,
    });
    await expect(
      process({ id: 'x', data: { feed: 'psf' }, attemptsMade: 0, opts: {} } as unknown as DeliverJobHandle),
    ).rejects.toBeInstanceOf(UnrecoverableError);
  });
});
