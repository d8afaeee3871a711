import { DelayedError, UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { DeliveryError, type Announcer, type LookResult } from '../../../src/delivery/announcer.js';
import { MemoryDeliveryCounters } from '../../../src/delivery/counters.js';
import { MemoryDeliveryLedger } from '../../../src/delivery/ledger.js';
import { silentLogger } from '../../../src/logger.js';
import { postKey } from '../../../src/posts/identity.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { createDeliverProcessor, type DeliverJobHandle } from '../../../jobs/delivery/deliver.js';
import { LOOK_DEADLINE_MS } from '../../../jobs/delivery/look-first.js';
import { makePost, makeSubscription } from '../../helpers/delivery-fixtures.js';

const post = makePost(1);
const channel = { platform: 'console' as const, workspaceId: 'w1', channelId: 'c1' };

/** A platform whose first send loses its answer, and whose looks answer as scripted. */
function platform(looks: (() => Promise<LookResult>)[]) {
  const calls: string[] = [];
  const announcer: Announcer = {
    platform: 'console',
    async announce() {
      calls.push('send');
      if (calls.filter((call) => call === 'send').length === 1)
        throw DeliveryError.transient('timeout', 'lost');
      return { messageId: 'm-2' };
    },
    async findEarlier() {
      calls.push('look');
      return looks.shift()!();
    },
  };
  return { announcer, calls };
}

async function setup(announcer: Announcer) {
  const posts = new MemoryPostStore();
  await posts.save([post]);
  const subscriptions = new MemorySubscriptionStore();
  await subscriptions.put(makeSubscription(1));
  const ledger = new MemoryDeliveryLedger();
  const process = createDeliverProcessor({
    platform: 'console',
    announcer,
    posts,
    subscriptions,
    ledger,
    counters: new MemoryDeliveryCounters(),
    logger: silentLogger(),
    rateLimit: async () => undefined,
  });
  const job = {
    id: 'job-1',
    data: { feed: post.feed, postId: post.id, announcedAt: new Date().toISOString(), ...channel },
    attemptsMade: 0,
    opts: { attempts: 5 },
    moveToDelayed: async () => undefined,
  } as unknown as DeliverJobHandle;
  return { ledger, run: () => process(job, 'token') };
}

describe('looking before a re-send', () => {
  it('records the message the lost attempt posted instead of sending again', async () => {
    const { announcer, calls } = platform([async () => ({ found: { messageId: 'm-1' } })]);
    const t = await setup(announcer);
    await expect(t.run()).rejects.toThrow('lost');
    expect(await t.run()).toEqual({ status: 'already', messageId: 'm-1' });
    expect(calls).toEqual(['send', 'look']);
    expect(await t.ledger.get(postKey(post.feed, post.id), channel)).toMatchObject({ messageId: 'm-1' });
  });

  it('looks again after the look itself was rate limited, never sending blind', async () => {
    const { announcer, calls } = platform([
      async () => {
        throw DeliveryError.rateLimited(1_000, 'history 429', 'workspace');
      },
      async () => ({ found: null }),
    ]);
    const t = await setup(announcer);
    await expect(t.run()).rejects.toThrow('lost');
    await expect(t.run()).rejects.toBeInstanceOf(DelayedError);
    expect(await t.run()).toEqual({ status: 'delivered', messageId: 'm-2' });
    expect(calls).toEqual(['send', 'look', 'look', 'send']);
  });
});

describe('a refused re-send keeps the earlier attempt in mind', () => {
  it('after a lost answer, a 429 to the re-send does not let the third attempt send blind', async () => {
    const calls: string[] = [];
    const sends = [
      () => DeliveryError.transient('timeout', 'lost'),
      () => DeliveryError.rateLimited(1_000, 'route 429', 'channel'),
    ];
    const announcer: Announcer = {
      platform: 'console',
      async announce() {
        calls.push('send');
        const refusal = sends.shift();
        if (refusal) throw refusal();
        return { messageId: 'm-3' };
      },
      async findEarlier() {
        calls.push('look');
        // Within Discord's nonce window nothing is read: not finding is no proof the first send posted nothing.
        return { found: null };
      },
    };
    const t = await setup(announcer);
    await expect(t.run()).rejects.toThrow('lost');
    await expect(t.run()).rejects.toBeInstanceOf(DelayedError);
    expect(await t.run()).toEqual({ status: 'delivered', messageId: 'm-3' });
    expect(calls).toEqual(['send', 'look', 'send', 'look', 'send']);
  });
});

/** A job whose data changes as BullMQ's `updateData` changes it. */
function jobWith(data: Record<string, unknown>) {
  const job = {
    id: 'job-2',
    data: { feed: post.feed, postId: post.id, announcedAt: new Date().toISOString(), ...channel, ...data },
    attemptsMade: 0,
    opts: { attempts: 5 },
    moveToDelayed: async () => undefined,
    async updateData(next: Record<string, unknown>) {
      job.data = next as typeof job.data;
    },
  };
  return job;
}

/** A platform whose first send loses its answer; its looks answer as scripted and record their cursors. */
function pagedPlatform(looks: (() => LookResult)[]) {
  const calls: string[] = [];
  const cursors: (string | undefined)[] = [];
  const announcer: Announcer = {
    platform: 'console',
    async announce() {
      calls.push('send');
      if (calls.filter((call) => call === 'send').length === 1)
        throw DeliveryError.transient('timeout', 'lost');
      return { messageId: 'm-9' };
    },
    async findEarlier(_subject, _target, attempt) {
      calls.push('look');
      cursors.push(attempt.cursor);
      return looks.shift()!();
    },
  };
  return { announcer, calls, cursors };
}

async function processorFor(announcer: Announcer) {
  const posts = new MemoryPostStore();
  await posts.save([post]);
  const subscriptions = new MemorySubscriptionStore();
  await subscriptions.put(makeSubscription(1));
  const counters = new MemoryDeliveryCounters();
  const process = createDeliverProcessor({
    platform: 'console',
    announcer,
    posts,
    subscriptions,
    ledger: new MemoryDeliveryLedger(),
    counters,
    logger: silentLogger(),
    rateLimit: async () => undefined,
  });
  return { process, counters };
}

describe('a look that takes more than one page', () => {
  it('keeps its cursor on the job, so a look held by a 429 goes on where it stopped', async () => {
    const { announcer, calls, cursors } = pagedPlatform([
      () => ({ partial: 'page-2' }),
      () => {
        throw DeliveryError.rateLimited(60_000, 'history 429', 'workspace');
      },
      () => ({ partial: 'page-3' }),
      () => ({ found: { messageId: 'm-1' } }),
    ]);
    const { process } = await processorFor(announcer);
    const job = jobWith({}) as unknown as DeliverJobHandle;
    await expect(process(job, 't')).rejects.toThrow('lost');
    await expect(process(job, 't')).rejects.toBeInstanceOf(DelayedError);
    expect(job.data).toMatchObject({ look: { cursor: 'page-2' } });
    expect(await process(job, 't')).toEqual({ status: 'already', messageId: 'm-1' });
    expect(cursors).toEqual([undefined, 'page-2', 'page-2', 'page-3']);
    expect(calls).toEqual(['send', 'look', 'look', 'look', 'look']);
    // The look is over: nothing of it is left on the job.
    expect(job.data).not.toHaveProperty('look');
  });

  it('past its deadline records the delivery unverified: neither sent again nor looked at further', async () => {
    const { announcer, calls } = pagedPlatform([]);
    const { process, counters } = await processorFor(announcer);
    const job = jobWith({}) as unknown as DeliverJobHandle & { data: Record<string, unknown> };
    await expect(process(job, 't')).rejects.toThrow('lost');
    job.data.look = { startedAt: Date.now() - LOOK_DEADLINE_MS, cursor: 'page-7' };
    const failure = await process(job, 't').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnrecoverableError);
    expect((failure as Error).message).toMatch(/^unverified: /);
    expect(calls).toEqual(['send']);
    expect(counters.get('console', 'unverified')).toBe(1);
  });

  it('sends an unverified delivery the operator forced without looking, once', async () => {
    const { announcer, calls } = pagedPlatform([]);
    const { process } = await processorFor(announcer);
    const job = jobWith({}) as unknown as DeliverJobHandle & { data: Record<string, unknown> };
    await expect(process(job, 't')).rejects.toThrow('lost');
    job.data.look = { startedAt: Date.now(), force: true };
    expect(await process(job, 't')).toEqual({ status: 'delivered', messageId: 'm-9' });
    expect(calls).toEqual(['send', 'send']);
    expect(job.data).not.toHaveProperty('look');
  });
});
