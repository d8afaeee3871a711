import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { createFanoutProcessor, type DeliverJobQueue } from '../../../jobs/delivery/fanout.js';
import { deliverJobId, deliverJobOptions, type DeliverJob } from '../../../jobs/queues.js';
import { makePost, makeSubscription } from '../../helpers/delivery-fixtures.js';
import { HUB_WORKSPACE, hubRef } from '../../../src/delivery/hub-ref.js';

function recordingQueue() {
  const batches: { jobId: string; data: DeliverJob }[][] = [];
  const queue: DeliverJobQueue = {
    addBulk: async (jobs) =>
      void batches.push(jobs.map((job) => ({ jobId: String(job.opts.jobId), data: job.data }))),
  };
  return { queue, batches };
}

describe('the fan-out processor', () => {
  it('adds one deliver job per matching subscription, in chunks, with deterministic ids', async () => {
    const post = makePost(1);
    const posts = new MemoryPostStore();
    await posts.save([post]);
    const subscriptions = new MemorySubscriptionStore();
    for (let i = 0; i < 5; i++) await subscriptions.put(makeSubscription(i));
    await subscriptions.put(makeSubscription(9, { platform: 'discord', workspaceId: 'g' }));
    await subscriptions.put(makeSubscription(8, { feeds: ['insider'] }));
    const consoleQueue = recordingQueue();
    const process = createFanoutProcessor({
      posts,
      subscriptions,
      deliverQueues: { console: consoleQueue.queue },
      jobOptions: deliverJobOptions(3),
      logger: silentLogger(),
      chunkSize: 2,
    });
    const announcedAt = new Date().toISOString();
    const result = await process({ id: 'a', data: { feed: post.feed, postId: post.id, announcedAt } });

    expect(result).toEqual({ matched: 6, queued: { console: 5 }, skipped: 1 });
    expect(consoleQueue.batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
    const jobs = consoleQueue.batches.flat();
    expect(jobs.map((job) => job.jobId).sort()).toEqual(
      [0, 1, 2, 3, 4]
        .map((i) => deliverJobId(post, { platform: 'console', workspaceId: 'w1', channelId: `c${i}` }))
        .sort(),
    );
    expect(jobs[0]!.data).toMatchObject({
      feed: post.feed,
      postId: post.id,
      announcedAt,
      platform: 'console',
      workspaceId: 'w1',
    });
  });

  it('fans out nothing for a post that is not stored', async () => {
    const { queue, batches } = recordingQueue();
    const subscriptions = new MemorySubscriptionStore();
    await subscriptions.put(makeSubscription(1));
    const process = createFanoutProcessor({
      posts: new MemoryPostStore(),
      subscriptions,
      deliverQueues: { console: queue },
      jobOptions: {},
      logger: silentLogger(),
    });
    expect(
      await process({
        id: 'a',
        data: { feed: 'psf', postId: 'nope', announcedAt: new Date().toISOString() },
      }),
    ).toEqual({ matched: 0, queued: {}, skipped: 0 });
    expect(batches).toEqual([]);
  });
});

describe('the fan-out processor and hub channels', () => {
  it("adds one job for the hub of the post's feed, none for other feeds' hubs, and drops a subscription of the hub channel", async () => {
    const post = makePost(1);
    const posts = new MemoryPostStore();
    await posts.save([post]);
    const subscriptions = new MemorySubscriptionStore();
    await subscriptions.put(
      makeSubscription(1, { platform: 'discord', workspaceId: 'g', channelId: 'hub-psf' }),
    );
    await subscriptions.put(makeSubscription(2, { platform: 'discord', workspaceId: 'g', channelId: 'c2' }));
    const discord = recordingQueue();
    const process = createFanoutProcessor({
      posts,
      subscriptions,
      deliverQueues: { discord: discord.queue },
      jobOptions: deliverJobOptions(3),
      logger: silentLogger(),
      hubs: [
        { feed: 'psf', channelId: 'hub-psf' },
        { feed: 'insider', channelId: 'hub-insider' },
      ],
    });
    const announcedAt = new Date().toISOString();
    const result = await process({ id: 'a', data: { feed: post.feed, postId: post.id, announcedAt } });

    expect(result).toEqual({ matched: 2, queued: { discord: 2 }, skipped: 0 });
    const ids = discord.batches.flat().map((job) => job.jobId);
    expect(ids.sort()).toEqual(
      [
        deliverJobId(post, hubRef('hub-psf')),
        deliverJobId(post, { platform: 'discord', workspaceId: 'g', channelId: 'c2' }),
      ].sort(),
    );
    const hubJob = discord.batches.flat().find((job) => job.data.channelId === 'hub-psf');
    expect(hubJob?.data).toMatchObject({ platform: 'discord', workspaceId: HUB_WORKSPACE });
  });
});
