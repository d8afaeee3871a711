import { CommandCore } from '../../../src/commands/command-core.js';
import type { FeedConfig } from '../../../src/config.js';
import type { CommandContext, QueueHealth } from '../../../src/commands/types.js';
import { MemoryFeedStateStore } from '../../../src/feeds/memory-feed-state-store.js';
import type { Post } from '../../../src/posts/post.js';
import { PostIndex } from '../../../src/search/post-index.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';

export const NOW = new Date('2026-03-01T12:00:00.000Z');

/** A member who may not manage the channel, on Slack. */
export const MEMBER: CommandContext = {
  platform: 'slack',
  workspaceId: 'T1',
  channelId: 'C1',
  userId: 'U1',
  canManage: false,
};
/** The operator at the console (`psf-bot status`, `psf-bot ask`): sees every queue and note. */
export const OPERATOR: CommandContext = {
  platform: 'console',
  workspaceId: 'local',
  channelId: 'console',
  userId: 'cli',
  canManage: true,
};
/** A channel manager in the same channel. */
export const ADMIN: CommandContext = { ...MEMBER, userId: 'U2', canManage: true };

/** Queue counts a test can set, or make fail. */
export class FakeQueues implements QueueHealth {
  failure: Error | null = null;
  values: Awaited<ReturnType<QueueHealth['counts']>> = {
    poll: { waiting: 0, active: 1, delayed: 0, failed: 0 },
    announce: { waiting: 2, active: 0, delayed: 0, failed: 1 },
  };

  async counts() {
    if (this.failure) throw this.failure;
    return this.values;
  }
}

/** A command core over memory stores holding `posts`, with feeds `psf` and `insider`. */
export async function makeCore(posts: Post[], feeds: (string | FeedConfig)[] = ['psf', 'insider']) {
  const store = new MemoryPostStore();
  await store.save(posts);
  const deps = {
    posts: store,
    index: PostIndex.build(posts),
    subscriptions: new MemorySubscriptionStore(() => NOW),
    feedStates: new MemoryFeedStateStore(),
    queues: new FakeQueues(),
    feeds: feeds.map((feed) =>
      typeof feed === 'string' ? { name: feed, url: `https://example.org/${feed}.xml` } : feed,
    ),
    pollIntervalMs: 300_000,
    now: () => NOW,
  };
  return { core: new CommandCore(deps), ...deps };
}
