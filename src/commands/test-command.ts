import { DeliveryError } from '../delivery/announcer.js';
import type { Post } from '../posts/post.js';
import { compareNewestFirst } from '../store/post-order.js';
import { postFitsFilters } from '../subscriptions/matching.js';
import type { Subscription } from '../subscriptions/subscription.js';
import type { CommandDeps } from './command-deps.js';
import { messageLink } from './why.js';
import type { CommandContext, Reply } from './types.js';

/** How many newest posts (per included tag, or overall) `test` looks through for one the filters let through. */
const LOOKBACK = 200;

/** The newest stored post the subscription's filters let through: from its tags' posts when it has tags. */
async function newestMatching(deps: CommandDeps, subscription: Subscription): Promise<Post | null> {
  const candidates =
    subscription.tags.length > 0
      ? (await Promise.all(subscription.tags.map((tag) => deps.posts.byTag(tag, LOOKBACK)))).flat()
      : await deps.posts.latest(LOOKBACK);
  const fitting = candidates.filter((candidate) => postFitsFilters(subscription, candidate));
  return fitting.sort(compareNewestFirst)[0] ?? null;
}

/**
 * `test`: posts the newest stored post this channel's subscription would receive, rendered exactly as an
 * announcement (forum post, role mention and thread included), so a manager sees the result and any missing
 * permission at once. Not recorded as a delivery: the real announcement of that post is unaffected.
 */
export async function testAnnouncement(deps: CommandDeps, context: CommandContext): Promise<Reply> {
  if (!context.canManage)
    return {
      kind: 'error',
      message: 'Only members who can manage this channel can post a test announcement.',
    };
  const channel = {
    platform: context.platform,
    workspaceId: context.workspaceId,
    channelId: context.channelId,
  };
  const subscription = await deps.subscriptions.get(channel);
  if (!subscription)
    return { kind: 'error', message: 'This channel has no subscription: `subscribe` first.' };
  if (!deps.testAnnouncer) return { kind: 'error', message: 'Test announcements are not available here.' };
  const post = await newestMatching(deps, subscription);
  if (!post) return { kind: 'error', message: "No stored post passes this channel's feed and tag filter." };
  try {
    const sent = await deps.testAnnouncer.announce(post, channel, subscription.options);
    const link = messageLink(context, { ...sent, deliveredAt: '' });
    return {
      kind: 'text',
      text: `Test announcement of “${post.title.slice(0, 150)}” posted: ${link} (not recorded as a delivery).`,
    };
  } catch (error) {
    const detail =
      error instanceof DeliveryError ? `${error.code}: ${error.message}` : String(error).slice(0, 300);
    const hint =
      error instanceof DeliveryError && error.kind === 'permanent'
        ? ' Check the bot’s permissions there (View Channel, Send Messages, Embed Links; threads: Create Public Threads, Send Messages in Threads).'
        : '';
    return { kind: 'error', message: `The test announcement failed: ${detail}.${hint}` };
  }
}
