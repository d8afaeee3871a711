import { DelayedError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createDeliverProcessor, type DeliverJobHandle } from '../../../jobs/delivery/deliver.js';
import { CROSSPOSTED_EDIT_INTERVAL_MS } from '../../../jobs/delivery/workers.js';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import type { ChannelPacer } from '../../../src/delivery/channel-pacer.js';
import { MemoryDeliveryCounters } from '../../../src/delivery/counters.js';
import { MemoryDeliveryLedger } from '../../../src/delivery/ledger.js';
import { ScriptedAnnouncer } from '../../../src/delivery/scripted-announcer.js';
import { silentLogger } from '../../../src/logger.js';
import { postKey } from '../../../src/posts/identity.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { makePost, makeSubscription } from '../../helpers/delivery-fixtures.js';

/** An announcer that can edit, recording each edit. */
class EditingAnnouncer extends ScriptedAnnouncer {
  readonly edits: string[] = [];
  limited = false;
  async edit(_post: unknown, target: { channelId: string }): Promise<void> {
    if (this.limited) throw DeliveryError.rateLimited(1_000);
    this.edits.push(target.channelId);
  }
}

async function setup(options: { crosspost: boolean; waitMs: number }) {
  const post = makePost(1, { title: 'Changed' });
  const sub = makeSubscription(1, { options: { crosspost: options.crosspost } });
  const channel = { platform: sub.platform, workspaceId: sub.workspaceId, channelId: sub.channelId };
  const posts = new MemoryPostStore();
  await posts.save([post]);
  const subscriptions = new MemorySubscriptionStore();
  await subscriptions.put(sub);
  const ledger = new MemoryDeliveryLedger();
  await ledger.record(postKey(post.feed, post.id), channel, {
    messageId: 'm1',
    deliveredAt: 'x',
    version: 'old',
  });
  const reserved: { channelId: string; intervalMs: number }[] = [];
  const pacer: ChannelPacer = {
    reserve: async (ref, intervalMs) => {
      reserved.push({ channelId: ref.channelId, intervalMs });
      return options.waitMs;
    },
  };
  const announcer = new EditingAnnouncer('console');
  const delayed: number[] = [];
  const queuePauses: number[] = [];
  const process = createDeliverProcessor({
    platform: 'console',
    announcer,
    posts,
    subscriptions,
    ledger,
    counters: new MemoryDeliveryCounters(),
    logger: silentLogger(),
    rateLimit: async (ms: number) => void queuePauses.push(ms),
    editPacing: { pacer, intervalMs: CROSSPOSTED_EDIT_INTERVAL_MS },
  });
  const job = {
    id: 'edit-1',
    data: {
      feed: post.feed,
      postId: post.id,
      announcedAt: new Date().toISOString(),
      action: 'edit',
      version: 'v',
      ...channel,
    },
    attemptsMade: 0,
    opts: { attempts: 3 },
    moveToDelayed: async (at: number) => void delayed.push(at),
  } as unknown as DeliverJobHandle;
  return { process, job, reserved, announcer, delayed, queuePauses, ledger, post, channel };
}

describe('pacing of edits', () => {
  it('holds an edit of a crossposted message in its channel’s edit slot (one per 20 minutes), as a delayed job', async () => {
    const { process, job, reserved, announcer, delayed } = await setup({ crosspost: true, waitMs: 600_000 });
    await expect(process(job, 'token')).rejects.toBeInstanceOf(DelayedError);
    // Plus the 20 ms margin every paced slot gets.
    expect(reserved).toEqual([{ channelId: 'c1:edits', intervalMs: 20 * 60_000 + 20 }]);
    expect(delayed).toHaveLength(1);
    expect(announcer.edits).toEqual([]);
  });

  it('spaces other edits of one message by a second, then edits and records the version shown', async () => {
    const { process, job, reserved, announcer, ledger, post, channel } = await setup({
      crosspost: false,
      waitMs: 0,
    });
    expect(await process(job, 'token')).toEqual({ status: 'edited', messageId: 'm1' });
    expect(reserved[0]?.intervalMs).toBe(1_000 + 20);
    expect(reserved[0]?.channelId).toMatch(/^c1:edit:/);
    expect(announcer.edits).toEqual(['c1']);
    expect((await ledger.get(postKey(post.feed, post.id), channel))?.version).not.toBe('old');
    // Run again (a retry or a duplicate): the message already shows this version.
    expect(await process(job, 'token')).toEqual({ status: 'already', messageId: 'm1' });
    expect(announcer.edits).toEqual(['c1']);
  });

  it('waits out a 429 on a crossposted edit in that job alone, minutes not the 1 s Retry-After, pausing no other delivery', async () => {
    const { process, job, announcer, delayed, queuePauses } = await setup({ crosspost: true, waitMs: 0 });
    announcer.limited = true;
    const before = Date.now();
    await expect(process(job, 'token')).rejects.toBeInstanceOf(DelayedError);
    expect(queuePauses).toEqual([]);
    expect(delayed[0]! - before).toBeGreaterThanOrEqual(5 * 60_000);
  });
});
