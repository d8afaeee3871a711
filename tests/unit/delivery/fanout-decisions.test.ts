import { describe, expect, it } from 'vitest';
import { createFanoutProcessor, type DeliverJobQueue } from '../../../jobs/delivery/fanout.js';
import { deliverJobOptions, editJobId, type DeliverJob } from '../../../jobs/queues.js';
import { MemoryDecisionLog } from '../../../src/delivery/decisions.js';
import { MemoryDeliveryLedger } from '../../../src/delivery/ledger.js';
import { silentLogger } from '../../../src/logger.js';
import { postKey } from '../../../src/posts/identity.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { makePost, makeSubscription } from '../../helpers/delivery-fixtures.js';

function recordingQueue() {
  const jobs: { name: string; jobId: string; data: DeliverJob }[] = [];
  const queue: DeliverJobQueue = {
    addBulk: async (added) =>
      void jobs.push(
        ...added.map((job) => ({ name: job.name, jobId: String(job.opts.jobId), data: job.data })),
      ),
  };
  return { queue, jobs };
}

const ref = (i: number) => {
  const sub = makeSubscription(i);
  return { platform: sub.platform, workspaceId: sub.workspaceId, channelId: sub.channelId };
};

describe('fan-out records what /psf why needs, and fans edits out where the ledger says', () => {
  it('keeps each subscription’s decision and the announcement time', async () => {
    const post = makePost(1, { tags: ['PyCon US', 'Sponsors'] });
    const posts = new MemoryPostStore();
    await posts.save([post]);
    const subscriptions = new MemorySubscriptionStore();
    await subscriptions.put(makeSubscription(1));
    await subscriptions.put(makeSubscription(2, { excludedTags: ['sponsors'] }));
    await subscriptions.put(makeSubscription(3, { tags: ['grants'] }));
    const decisions = new MemoryDecisionLog();
    const process = createFanoutProcessor({
      posts,
      subscriptions,
      deliverQueues: { console: recordingQueue().queue },
      jobOptions: deliverJobOptions(3),
      logger: silentLogger(),
      decisions,
    });
    const announcedAt = new Date().toISOString();
    await process({ id: 'a', data: { feed: post.feed, postId: post.id, announcedAt } });
    const read = (i: number) => decisions.read(postKey(post.feed, post.id), ref(i));
    expect(await read(1)).toEqual({ announcedAt, seeded: null, decision: { kind: 'match' } });
    expect((await read(2)).decision).toEqual({ kind: 'excluded_tag', tag: 'sponsors' });
    expect((await read(3)).decision).toEqual({ kind: 'no_included_tag', tags: ['grants'] });
  });

  it('queues one edit job per channel delivered to, with an id per version and channel', async () => {
    const post = makePost(2);
    const posts = new MemoryPostStore();
    await posts.save([post]);
    const ledger = new MemoryDeliveryLedger();
    for (const i of [1, 2])
      await ledger.record(postKey(post.feed, post.id), ref(i), { messageId: `m${i}`, deliveredAt: 'x' });
    const { queue, jobs } = recordingQueue();
    const process = createFanoutProcessor({
      posts,
      subscriptions: new MemorySubscriptionStore(),
      deliverQueues: { console: queue },
      jobOptions: deliverJobOptions(3),
      logger: silentLogger(),
      ledger,
    });
    const data = {
      feed: post.feed,
      postId: post.id,
      announcedAt: 'x',
      action: 'edit' as const,
      version: 'v2',
    };
    const result = await process({ id: 'e', data: { ...data, announcedAt: new Date().toISOString() } });
    expect(result.queued).toEqual({ console: 2 });
    expect(jobs.map((job) => [job.name, job.jobId, job.data.action])).toEqual([
      ['edit', editJobId(post, 'v2', ref(1)), 'edit'],
      ['edit', editJobId(post, 'v2', ref(2)), 'edit'],
    ]);
  });
});
