import { describe, expect, it } from 'vitest';
import { createDeliverProcessor, type DeliverJobHandle } from '../../../jobs/delivery/deliver.js';
import type { AnnounceAttempt, DeliveryTarget } from '../../../src/delivery/announcer.js';
import type { Post } from '../../../src/posts/post.js';
import { MemoryDeliveryCounters } from '../../../src/delivery/counters.js';
import { MemoryDeliveryLedger } from '../../../src/delivery/ledger.js';
import { ScriptedAnnouncer } from '../../../src/delivery/scripted-announcer.js';
import { silentLogger } from '../../../src/logger.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { makePost, makeSubscription } from '../../helpers/delivery-fixtures.js';

class AttemptRecorder extends ScriptedAnnouncer {
  readonly attempts: (AnnounceAttempt | undefined)[] = [];
  override async announce(post: Post, target: DeliveryTarget, nonce: string, attempt?: AnnounceAttempt) {
    this.attempts.push(attempt);
    return super.announce(post, target, nonce);
  }
}

async function run(attemptsMade: number, attemptsStarted: number | undefined) {
  const post = makePost(1);
  const sub = makeSubscription(1);
  const posts = new MemoryPostStore();
  await posts.save([post]);
  const subscriptions = new MemorySubscriptionStore();
  await subscriptions.put(sub);
  const announcer = new AttemptRecorder('console');
  const process = createDeliverProcessor({
    platform: 'console',
    announcer,
    posts,
    subscriptions,
    ledger: new MemoryDeliveryLedger(),
    counters: new MemoryDeliveryCounters(),
    logger: silentLogger(),
    rateLimit: async () => undefined,
  });
  const channel = { platform: sub.platform, workspaceId: sub.workspaceId, channelId: sub.channelId };
  await process({
    id: 'j',
    data: { feed: post.feed, postId: post.id, announcedAt: new Date().toISOString(), ...channel },
    attemptsMade,
    ...(attemptsStarted === undefined ? {} : { attemptsStarted }),
    opts: { attempts: 3 },
    moveToDelayed: async () => undefined,
  } as unknown as DeliverJobHandle);
  return announcer.attempts[0];
}

describe('a re-run of a deliver job', () => {
  it('tells the announcer it may follow an accepted send: after a failure, or after its worker died', async () => {
    expect(await run(0, 1)).toEqual({ rerun: false });
    expect(await run(1, 2)).toEqual({ rerun: true });
    // A stalled job is started again without a failed attempt.
    expect(await run(0, 2)).toEqual({ rerun: true });
  });
});
