import { describe, expect, it } from 'vitest';
import { createDeliverProcessor, type DeliverJobHandle } from '../../../jobs/delivery/deliver.js';
import { CommandCore } from '../../../src/commands/command-core.js';
import { MemoryDeliveryCounters } from '../../../src/delivery/counters.js';
import { MemoryDeliveryLedger } from '../../../src/delivery/ledger.js';
import { ScriptedAnnouncer } from '../../../src/delivery/scripted-announcer.js';
import { silentLogger } from '../../../src/logger.js';
import { postKey } from '../../../src/posts/identity.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { MemoryChannelNotes } from '../../../src/subscriptions/channel-notes.js';
import { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { makePost, makeSubscription } from '../../helpers/delivery-fixtures.js';
import { makeCore } from '../commands/core-fixture.js';

describe('a post a channel cannot take (a forum requiring a tag none of the post matches)', () => {
  it('is skipped without retry, keeps the subscription, and is noted where `subscriptions` shows it', async () => {
    const post = makePost(1, { title: 'Grants update' });
    const sub = makeSubscription(1);
    const channel = { platform: sub.platform, workspaceId: sub.workspaceId, channelId: sub.channelId };
    const announcer = new ScriptedAnnouncer('console').failNext(1, { kind: 'unsendable' });
    const posts = new MemoryPostStore();
    await posts.save([post]);
    const subscriptions = new MemorySubscriptionStore();
    await subscriptions.put(sub);
    const ledger = new MemoryDeliveryLedger();
    const notes = new MemoryChannelNotes(() => new Date('2026-03-01T00:00:00Z'));
    const rateLimits: number[] = [];
    const process = createDeliverProcessor({
      platform: 'console',
      announcer,
      posts,
      subscriptions,
      ledger,
      notes,
      counters: new MemoryDeliveryCounters(),
      logger: silentLogger(),
      rateLimit: async (ms) => void rateLimits.push(ms),
    });
    const job = {
      id: 'job-1',
      data: { feed: post.feed, postId: post.id, announcedAt: new Date().toISOString(), ...channel },
      attemptsMade: 0,
      opts: { attempts: 3 },
      moveToDelayed: async () => undefined,
    } as unknown as DeliverJobHandle;

    expect(await process(job)).toEqual({
      status: 'skipped',
      reason: 'forum_tag_required: scripted unsendable post',
    });
    expect((await subscriptions.get(channel))?.disabledReason).toBeNull();
    expect(await ledger.forPost(postKey(post.feed, post.id))).toEqual([]);
    expect(rateLimits).toEqual([]);

    const base = await makeCore([post]);
    await base.subscriptions.put(sub);
    const core = new CommandCore({ ...base, notes });
    const context = { ...channel, userId: 'U', canManage: true };
    const reply = await core.handle({ name: 'subscriptions' }, context);
    expect(reply).toMatchObject({
      kind: 'text',
      text: expect.stringContaining(
        'NOTE (2026-03-01T00:00:00.000Z): “Grants update” was not posted: forum_tag_required: scripted unsendable post',
      ),
    });
    // Subscribing again says the channel was looked at: the note goes.
    await core.handle({ name: 'subscribe' }, context);
    expect(await notes.all()).toEqual([]);
  });
});
