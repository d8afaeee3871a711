import { describe, expect, it } from 'vitest';
import { CommandCore } from '../../../src/commands/command-core.js';
import { loadConfig } from '../../../src/config.js';
import type { CommandContext, CommandRequest } from '../../../src/commands/types.js';
import { MemoryFeedStateStore } from '../../../src/feeds/memory-feed-state-store.js';
import { PostIndex } from '../../../src/search/post-index.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { applyDeclaredSubscriptions } from '../../../src/subscriptions/declared.js';
import { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { FakeQueues, NOW } from './core-fixture.js';

// Issue 12 §8: nothing limited how many channels one manager could subscribe on a public deployment.
function coreWithLimit(limit: number) {
  const subscriptions = new MemorySubscriptionStore(() => NOW);
  const core = new CommandCore({
    posts: new MemoryPostStore(),
    index: PostIndex.build([]),
    subscriptions,
    feedStates: new MemoryFeedStateStore(),
    queues: new FakeQueues(),
    feeds: [{ name: 'psf', url: 'https://example.org/psf.xml' }],
    pollIntervalMs: 300_000,
    maxSubscriptionsPerWorkspace: limit,
    now: () => NOW,
  });
  return { core, subscriptions };
}

const manager = (channelId: string, workspaceId = 'G1'): CommandContext => ({
  platform: 'discord',
  workspaceId,
  channelId,
  userId: 'U1',
  canManage: true,
});
const subscribe: CommandRequest = { name: 'subscribe', tags: [] };

describe('MAX_SUBSCRIPTIONS_PER_WORKSPACE', () => {
  it('refuses a new chat subscription once the workspace has the most allowed, with a clear reply', async () => {
    const { core, subscriptions } = coreWithLimit(2);
    expect((await core.handle(subscribe, manager('C1'))).kind).toBe('text');
    expect((await core.handle(subscribe, manager('C2'))).kind).toBe('text');
    const refused = await core.handle(subscribe, manager('C3'));
    expect(refused).toEqual({
      kind: 'error',
      message: expect.stringContaining('already has 2 subscribed channels, the most this bot allows (2)'),
    });
    expect(await subscriptions.get({ platform: 'discord', workspaceId: 'G1', channelId: 'C3' })).toBeNull();
    // Changing a channel that is already subscribed, and other workspaces, are not affected.
    expect((await core.handle({ ...subscribe, feed: 'psf' }, manager('C1'))).kind).toBe('text');
    expect((await core.handle(subscribe, manager('C1', 'G2'))).kind).toBe('text');
    await core.handle({ name: 'unsubscribe' }, manager('C2'));
    expect((await core.handle(subscribe, manager('C3'))).kind).toBe('text');
  });

  it('does not count subscriptions the operator declared', async () => {
    const { core, subscriptions } = coreWithLimit(1);
    await applyDeclaredSubscriptions(
      subscriptions,
      [{ platform: 'discord', workspaceId: 'G1', channelId: 'D1', feeds: [], tags: [] }],
      NOW,
    );
    expect((await core.handle(subscribe, manager('C1'))).kind).toBe('text');
    expect((await core.handle(subscribe, manager('C2'))).kind).toBe('error');
  });

  it('defaults to 50 and accepts 0', () => {
    expect(loadConfig({}).maxSubscriptionsPerWorkspace).toBe(50);
    expect(loadConfig({ MAX_SUBSCRIPTIONS_PER_WORKSPACE: '0' }).maxSubscriptionsPerWorkspace).toBe(0);
    expect(() => loadConfig({ MAX_SUBSCRIPTIONS_PER_WORKSPACE: '-1' })).toThrow(
      /MAX_SUBSCRIPTIONS_PER_WORKSPACE/,
    );
  });

  it('has no limit at 0', async () => {
    const { core } = coreWithLimit(0);
    for (let i = 0; i < 60; i += 1)
      expect((await core.handle(subscribe, manager(`C${i}`))).kind).toBe('text');
  });
});
