import { CommandCore, type CommandDeps } from '../../../src/commands/command-core.js';
import { MemoryFeedStateStore } from '../../../src/feeds/memory-feed-state-store.js';
import { parseFeed } from '../../../src/feeds/parse.js';
import type { Post } from '../../../src/posts/post.js';
import { PostIndex } from '../../../src/search/post-index.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { ARCHIVE_STARTS, archivePage, readFixture } from '../../helpers/fixtures.js';

let archive: Promise<Post[]> | undefined;

/** Every post of the 733-post PSF archive fixture, parsed with the real feed parser (once per process). */
export function archivePosts(): Promise<Post[]> {
  archive ??= Promise.all(
    ARCHIVE_STARTS.map((start) => parseFeed(readFixture(archivePage(start)), 'psf')),
  ).then((pages) => pages.flatMap((page) => page.posts));
  return archive;
}

/**
 * The real command core over a memory store holding `posts`, as the adapters see it in production; `extras`
 * adds or replaces dependencies (hubs and follows).
 */
export async function coreWith(
  posts: Post[],
  extras: Partial<CommandDeps> = {},
): Promise<{ core: CommandCore; subscriptions: MemorySubscriptionStore }> {
  const store = new MemoryPostStore();
  await store.save(posts);
  const subscriptions = new MemorySubscriptionStore();
  const core = new CommandCore({
    posts: store,
    index: PostIndex.build(posts),
    subscriptions,
    feedStates: new MemoryFeedStateStore(),
    queues: { counts: async () => ({}) },
    feeds: [{ name: 'psf', url: 'https://pyfound.blogspot.com/feeds/posts/default' }],
    pollIntervalMs: 300_000,
    ...extras,
  });
  return { core, subscriptions };
}
