import type { FeedConfig } from '../config.js';
import type { Platform, Post } from '../posts/post.js';
import type { PostStore } from '../store/post-store.js';
import type { SubscriptionStore } from '../subscriptions/subscription-store.js';
import { describe as describeSubscription } from './subscription-commands.js';

/** How many posts a home page shows. */
export const HOME_POSTS = 5;

/** One subscription as a home page lists it. */
export interface HomeSubscription {
  channelId: string;
  /** `posts from psf tagged grants, as one daily digest message`. */
  description: string;
  disabledReason: string | null;
  disabledAt: string | null;
}

/** What a platform's home page shows, platform-neutral (the Slack App Home tab renders it). */
export interface HomeContent {
  posts: Post[];
  /** The workspace's subscriptions, for those who may manage them; null for everyone else. */
  subscriptions: HomeSubscription[] | null;
  feeds: Pick<FeedConfig, 'name' | 'title'>[];
}

/** What a home page reads. */
export interface HomeSources {
  posts: PostStore;
  subscriptions: SubscriptionStore;
  feeds: FeedConfig[];
}

/** The home page of a workspace: the newest posts, and its subscriptions when the viewer manages them. */
export async function homeContent(
  sources: HomeSources,
  workspace: { platform: Platform; workspaceId: string },
  canManage: boolean,
): Promise<HomeContent> {
  const posts = await sources.posts.latest(HOME_POSTS);
  const feeds = sources.feeds.map(({ name, title }) => (title ? { name, title } : { name }));
  if (!canManage) return { posts, subscriptions: null, feeds };
  const all = await sources.subscriptions.listWorkspace(workspace.platform, workspace.workspaceId);
  const subscriptions = all
    .sort((a, b) => (a.channelId < b.channelId ? -1 : a.channelId > b.channelId ? 1 : 0))
    .map((sub) => ({
      channelId: sub.channelId,
      description: describeSubscription(sub),
      disabledReason: sub.disabledReason,
      disabledAt: sub.disabledAt,
    }));
  return { posts, subscriptions, feeds };
}
