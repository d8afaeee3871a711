import type { PostDecisions } from '../delivery/decisions.js';
import type { LedgerEntry } from '../delivery/ledger.js';
import { postKey } from '../posts/identity.js';
import type { Post } from '../posts/post.js';
import type { MatchDecision } from '../subscriptions/matching.js';
import type { Follow } from '../subscriptions/follow-store.js';
import type { Subscription } from '../subscriptions/subscription.js';
import type { ChannelRef } from '../subscriptions/subscription-store.js';
import type { CommandDeps } from './command-deps.js';
import { hubsHere, hubWhy } from './hub-answers.js';
import type { CommandContext, Reply } from './types.js';

/** `why <query>`: whether the post was announced in this channel, and if not, the reason in one line. */
export async function why(deps: CommandDeps, context: CommandContext, query: string): Promise<Reply> {
  // Slack may hand a pasted link over as `<url>` or `<url|label>`.
  const text = query.replace(/^<([^|>]+)(?:\|[^>]*)?>$/, '$1');
  const post = deps.index.lookup(text) ?? deps.index.search(text, 1)[0] ?? null;
  // Not finding a post is an answer, as `tag` finding no posts is: a plain reply, not a failed command.
  if (!post)
    return {
      kind: 'text',
      text: `No post matches “${query.slice(0, 80)}”. Try its URL or words of its title.`,
    };
  const channel: ChannelRef = {
    platform: context.platform,
    workspaceId: context.workspaceId,
    channelId: context.channelId,
  };
  const key = postKey(post.feed, post.id);
  const [entry, decisions, subscription, followed] = await Promise.all([
    deps.ledger?.get(key, channel) ?? null,
    deps.decisions?.read(key, channel) ?? null,
    deps.subscriptions.get(channel),
    deps.follows?.get(channel, post.feed) ?? null,
  ]);
  const title = `“${post.title.slice(0, 150)}”`;
  const hub = hubsHere(deps, context).find((item) => item.feed === post.feed);
  const reason = entry
    ? announced(context, entry)
    : hub
      ? await hubWhy(deps, context, post, hub, (recorded) => messageLink(context, recorded))
      : followed
        ? throughFollow(followed)
        : await notAnnounced(deps, context, post, channel, subscription, decisions);
  return { kind: 'text', text: `${title}: ${reason}` };
}

/** In a channel that follows the feed's hub, Discord, not psf-bot, brings the post. */
function throughFollow(follow: Follow): string {
  return (
    `this channel follows the ${follow.feed} hub (since ${follow.createdAt}): the post comes through Discord's channel follow of the ${follow.feed} hub, not a psf-bot delivery; ` +
    `Discord copies each post published in the hub here. If it is missing, the hub may not have published it yet, or the follow was removed in this channel's settings (\`/psf unfollow\` then forgets it).`
  );
}

function announced(context: CommandContext, entry: LedgerEntry): string {
  const edited = entry.editedAt ? ` (edited ${entry.editedAt})` : '';
  return `announced here ${entry.deliveredAt}${edited}: ${messageLink(context, entry)}`;
}

/** A link to the announcement (Discord message or forum post, Slack archive link), or its id. */
export function messageLink(
  context: Pick<CommandContext, 'platform' | 'workspaceId' | 'channelId'>,
  entry: LedgerEntry,
): string {
  if (context.platform === 'discord')
    return `https://discord.com/channels/${context.workspaceId}/${entry.threadId ?? context.channelId}/${entry.messageId}`;
  if (context.platform === 'slack')
    return `https://slack.com/archives/${context.channelId}/p${entry.messageId.replace('.', '')}`;
  return `message ${entry.messageId}`;
}

async function notAnnounced(
  deps: CommandDeps,
  context: CommandContext,
  post: Post,
  channel: ChannelRef,
  subscription: Subscription | null,
  decisions: PostDecisions | null,
): Promise<string> {
  const seeded = decisions?.seeded;
  if (seeded?.kind === 'first_sight')
    return `not announced: known from the first sight of feed ${post.feed} (the first poll remembers every post and announces none).`;
  if (seeded?.kind === 'too_old')
    return `not announced: older than the age limit (published ${seeded.publishedAt || 'at an unknown time'}).`;
  if (seeded?.kind === 'moved')
    return `not announced: already known from a feed move (as ${seeded.knownAs.id} in feed ${seeded.knownAs.feed}).`;
  const decision = decisions?.decision;
  if (decision && decision.kind !== 'match') return refused(decision);
  if (decision?.kind === 'match')
    return (
      (await digestReason(deps, context, subscription, decisions?.announcedAt ?? null)) ??
      delivery(deps, post, channel)
    );
  if (!subscription) return 'not announced: this channel has no subscription.';
  if (subscription.feeds.length > 0 && !subscription.feeds.includes(post.feed))
    return `not announced: this channel does not get feed ${post.feed} (it gets ${subscription.feeds.join(', ')}).`;
  const announcedAt = decisions?.announcedAt ?? null;
  if (announcedAt && Date.parse(subscription.createdAt) > Date.parse(announcedAt))
    return `not announced: published before this subscription (announced ${announcedAt}; subscribed ${subscription.createdAt}).`;
  if (!announcedAt && post.publishedAt && Date.parse(post.publishedAt) < Date.parse(subscription.createdAt))
    return `not announced: published before this subscription (published ${post.publishedAt}; subscribed ${subscription.createdAt}).`;
  if (announcedAt)
    return `not announced: this channel had no subscription when it was announced (${announcedAt}).`;
  return 'not announced: no announcement of it is recorded (indexed by a backfill, or still waiting for fan-out).';
}

function refused(decision: Exclude<MatchDecision, { kind: 'match' }>): string {
  switch (decision.kind) {
    case 'excluded_tag':
      return `not announced: excluded by the tag filter (-${decision.tag}).`;
    case 'no_included_tag':
      return `not announced: it carries none of this channel's tags (${decision.tags.join(', ')}).`;
    case 'disabled':
      return `not announced: the subscription was disabled (${decision.reason}).`;
    case 'feed':
      return `not announced: this channel does not get feed ${decision.feed}.`;
    case 'before_subscription':
      return `not announced: published before this subscription (subscribed ${decision.createdAt}).`;
  }
}

/**
 * In a digest channel: which digest listed the post, with a link, or which one it is held for and when that is
 * due. Null when no digest took or holds it (then its own deliver job says what happened).
 */
async function digestReason(
  deps: CommandDeps,
  context: CommandContext,
  subscription: Subscription | null,
  announcedAt: string | null,
): Promise<string | null> {
  if (!deps.digests || !announcedAt) return null;
  const channel = {
    platform: context.platform,
    workspaceId: context.workspaceId,
    channelId: context.channelId,
  };
  const listed = await deps.digests.listedIn(channel, new Date(announcedAt));
  if (listed) {
    const link = listed.entry ? `: ${messageLink(context, listed.entry)}` : '.';
    return `announced here in the ${listed.cadence} digest of ${utcMinute(listed.periodEnd)}${link}`;
  }
  const cadence = subscription?.options.digest;
  if (!cadence || subscription.disabledReason !== null) return null;
  const due = deps.digests.nextDue(cadence, deps.now?.() ?? new Date());
  return `not announced yet: held for this channel's next ${cadence} digest, due ${utcMinute(due)}.`;
}

/** `2026-12-01 15:00 UTC`. */
function utcMinute(at: string | Date): string {
  const iso = new Date(at).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

async function delivery(deps: CommandDeps, post: Post, channel: ChannelRef): Promise<string> {
  const state = (await deps.deliveries?.state(post, channel)) ?? { state: 'none' as const };
  switch (state.state) {
    case 'queued':
      return 'not announced yet: still queued for delivery.';
    case 'failed':
      return `delivery failed: ${state.error}. \`psf-bot deliveries retry\` can re-drive it.`;
    case 'skipped':
      return `not delivered: ${state.reason}.`;
    case 'done':
      return 'the delivery job finished, but no message is recorded for this channel.';
    case 'none':
      return 'queued for delivery, but no delivery is recorded and the job is gone.';
  }
}
