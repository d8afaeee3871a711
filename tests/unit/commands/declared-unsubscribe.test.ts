import { describe, expect, it } from 'vitest';
import { CommandCore } from '../../../src/commands/command-core.js';
import type { CommandContext } from '../../../src/commands/types.js';
import type { DeclaredSubscription } from '../../../src/config.js';
import { MemoryFeedStateStore } from '../../../src/feeds/memory-feed-state-store.js';
import { PostIndex } from '../../../src/search/post-index.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { applyDeclaredSubscriptions } from '../../../src/subscriptions/declared.js';
import { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { FakeQueues, NOW } from './core-fixture.js';

// Review of issue 11: `/psf unsubscribe` in a channel the operator declared in PSF_SUBSCRIPTIONS answered "no
// more announcements", and the periodic re-assertion re-created the subscription within a minute.
const declared: DeclaredSubscription[] = [
  { platform: 'slack', workspaceId: 'T1', channelId: 'CDECL', feeds: [], tags: [] },
  { platform: 'slack', workspaceId: 'T1', channelId: 'CONE', feeds: ['psf'], tags: [] },
];

async function setup() {
  const subscriptions = new MemorySubscriptionStore(() => NOW);
  await applyDeclaredSubscriptions(subscriptions, declared, NOW);
  const core = new CommandCore({
    posts: new MemoryPostStore(),
    index: PostIndex.build([]),
    subscriptions,
    feedStates: new MemoryFeedStateStore(),
    queues: new FakeQueues(),
    feeds: [
      { name: 'psf', url: 'https://example.org/psf.xml' },
      { name: 'insider', url: 'https://example.org/insider.xml' },
    ],
    pollIntervalMs: 300_000,
    declared,
    now: () => NOW,
  });
  return { core, subscriptions };
}

const manager = (channelId: string): CommandContext => ({
  platform: 'slack',
  workspaceId: 'T1',
  channelId,
  userId: 'U1',
  canManage: true,
});

describe('unsubscribe in a channel the operator declared', () => {
  it('says the subscription is set by the configuration and keeps it', async () => {
    const { core, subscriptions } = await setup();
    for (const [channelId, request] of [
      ['CDECL', { name: 'unsubscribe' }],
      ['CONE', { name: 'unsubscribe' }],
      ['CONE', { name: 'unsubscribe', feed: 'psf' }],
    ] as const) {
      const reply = await core.handle(request, manager(channelId));
      expect(reply).toEqual({
        kind: 'error',
        message: expect.stringMatching(/set by the operator's configuration.*cannot be removed from chat/),
      });
      expect(await subscriptions.get(manager(channelId))).not.toBeNull();
    }
  });

  it('still lets a declared channel drop one of several feeds, and other channels unsubscribe', async () => {
    const { core, subscriptions } = await setup();
    expect(await core.handle({ name: 'unsubscribe', feed: 'insider' }, manager('CDECL'))).toMatchObject({
      kind: 'text',
      text: expect.stringContaining('now gets posts from psf'),
    });
    await core.handle({ name: 'subscribe', tags: [] }, manager('COTHER'));
    expect(await core.handle({ name: 'unsubscribe' }, manager('COTHER'))).toMatchObject({ kind: 'text' });
    expect(await subscriptions.get(manager('COTHER'))).toBeNull();
  });
});
