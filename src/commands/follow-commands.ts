import type { HubChannel } from '../config/hubs.js';
import type { Follow } from '../subscriptions/follow-store.js';
import type { Subscription } from '../subscriptions/subscription.js';
import type { ChannelRef } from '../subscriptions/subscription-store.js';
import { underChannelLock, unknownFeedMessage, type CommandDeps } from './command-deps.js';
import type { CommandContext, FollowAnswer, Reply } from './types.js';

const NOT_ALLOWED: Reply = {
  kind: 'error',
  message: 'Only members who can manage this channel can make it follow or unfollow a hub.',
};

/** What `follow` answers on Slack and the console: Channel Follow is Discord's. */
const DISCORD_ONLY: Reply = {
  kind: 'text',
  text: 'Follows are a Discord feature (a channel following an announcement channel). Here, `subscribe` announces posts in this channel.',
};

/** What a follow is, in one line: the trade `help follow` explains. */
export const FOLLOW_TRADE =
  'every post of the feed, with no tag filter, role or thread options; once the hub publishes a post Discord delivers it, however busy psf-bot is';

/**
 * `follow [feed]`: the channel follows the feed's hub (Discord's Channel Follow), and from then on Discord copies
 * each post published there into it. No feed named: every feed that has a hub. Refused where the channel
 * subscribes to the feed (each post would come twice).
 */
export async function follow(
  deps: CommandDeps,
  context: CommandContext,
  feed: string | undefined,
): Promise<Reply> {
  const refused = mayFollow(context);
  if (refused) return refused;
  const hubs = hubsFor(deps, feed);
  if (typeof hubs === 'string') return { kind: 'error', message: hubs };
  const channel = channelOf(context);
  if (hubs.some((hub) => hub.channelId === channel.channelId))
    return {
      kind: 'error',
      message: 'This channel is the hub itself: pick the channel that should follow it.',
    };
  return underChannelLock(deps, channel, () => writeFollows(deps, context, channel, hubs, feed));
}

/**
 * The check-and-write of `follow`, under the channel's lock: a `subscribe` of the same channel started at the
 * same moment waits, then sees the follow (or this sees its subscription).
 */
async function writeFollows(
  deps: CommandDeps,
  context: CommandContext,
  channel: ChannelRef,
  hubs: readonly HubChannel[],
  feed: string | undefined,
): Promise<Reply> {
  const subscription = await deps.subscriptions.get(channel);
  const overlap = hubs.filter((hub) => subscribesTo(subscription, hub.feed));
  if (overlap.length > 0) return { kind: 'error', message: subscribedMessage(overlap, feed === undefined) };
  if (!deps.follows || !deps.channelFollows)
    return { kind: 'error', message: 'Follows are not available in this process.' };
  const here = `<#${channel.channelId}>`;
  const lines: string[] = [];
  let following = false;
  for (const hub of hubs) {
    const existing = await deps.follows.get(channel, hub.feed);
    if (existing) {
      following = true;
      lines.push(`${here} already follows the ${hub.feed} hub (since ${existing.createdAt}).`);
      continue;
    }
    const answer = await deps.channelFollows.follow(hub.channelId, channel.channelId);
    if (!answer.ok) {
      lines.push(followFailure(answer, hub, channel.channelId));
      // The same refusal would follow for every other hub; one answer is enough.
      if (answer.failure !== 'not_followable' && answer.failure !== 'unknown_channel') break;
      continue;
    }
    const record: Follow = {
      ...channel,
      feed: hub.feed,
      hubChannelId: hub.channelId,
      webhookId: answer.webhookId,
      createdBy: context.userId,
      createdAt: (deps.now ?? (() => new Date()))().toISOString(),
    };
    await deps.follows.put(record);
    following = true;
    lines.push(
      `${here} now follows the ${hub.feed} hub: Discord copies each ${hub.feed} post into it (${FOLLOW_TRADE}). \`/psf unfollow feed:${hub.feed}\` ends it.`,
    );
  }
  const text = lines.join('\n');
  const channels = [channel.channelId];
  return following ? { kind: 'text', text, channels } : { kind: 'error', message: text, channels };
}

/** `unfollow [feed]`: ends the channel's follow of one feed's hub, or of every hub, by deleting its webhook. */
export async function unfollow(
  deps: CommandDeps,
  context: CommandContext,
  feed: string | undefined,
): Promise<Reply> {
  const refused = mayFollow(context);
  if (refused) return refused;
  const channel = channelOf(context);
  const all = (await deps.follows?.listChannel(channel)) ?? [];
  const follows = feed === undefined ? all : all.filter((item) => item.feed === feed);
  if (follows.length === 0) {
    if (feed !== undefined && !deps.feeds.some((item) => item.name === feed))
      return { kind: 'error', message: unknownFeedMessage(feed, deps.feeds) };
    return {
      kind: 'text',
      text:
        feed === undefined ? 'This channel follows no hub.' : `This channel does not follow the ${feed} hub.`,
    };
  }
  if (!deps.follows || !deps.channelFollows)
    return { kind: 'error', message: 'Follows are not available in this process.' };
  const lines: string[] = [];
  let ended = false;
  for (const item of follows) {
    const answer = await deps.channelFollows.unfollow(item.webhookId);
    if (!answer.ok) {
      lines.push(unfollowFailure(answer, item));
      continue;
    }
    await deps.follows.remove(channel, item.feed);
    ended = true;
    lines.push(
      answer.gone
        ? `The follow of the ${item.feed} hub was already gone (its webhook was deleted, perhaps in the channel's settings): psf-bot has forgotten it.`
        : `<#${item.channelId}> no longer follows the ${item.feed} hub.`,
    );
  }
  const text = lines.join('\n');
  const channels = [channel.channelId];
  return ended ? { kind: 'text', text, channels } : { kind: 'error', message: text, channels };
}

/** Why this member may not make or end a follow here (not Discord, not a manager); null when they may. */
function mayFollow(context: CommandContext): Reply | null {
  if (context.platform !== 'discord') return DISCORD_ONLY;
  return context.canManage ? null : NOT_ALLOWED;
}

/** The hubs `feed` names (none named: every hub), or why there is none. */
function hubsFor(deps: CommandDeps, feed: string | undefined): HubChannel[] | string {
  const hubs = [...(deps.hubs ?? [])];
  const order = (hub: HubChannel) => deps.feeds.findIndex((item) => item.name === hub.feed);
  hubs.sort((a, b) => order(a) - order(b));
  if (feed === undefined) {
    if (hubs.length > 0) return hubs;
    return 'This bot has no hub channels to follow; ask its operator, or use `/psf subscribe`.';
  }
  const hub = hubs.find((item) => item.feed === feed);
  if (hub) return [hub];
  if (!deps.feeds.some((item) => item.name === feed)) return unknownFeedMessage(feed, deps.feeds);
  return `This bot has no hub for feed ${feed}; ask its operator, or use \`/psf subscribe feed:${feed}\`.`;
}

/** Whether the subscription (enabled or not) takes posts of `feed`: an empty feed list is every feed. */
export function subscribesTo(subscription: Subscription | null, feed: string): boolean {
  if (!subscription) return false;
  return subscription.feeds.length === 0 || subscription.feeds.includes(feed);
}

function subscribedMessage(hubs: readonly HubChannel[], everyHub: boolean): string {
  const feeds = hubs.map((hub) => hub.feed).join(', ');
  const first = hubs[0]!.feed;
  const which = everyHub ? ` (\`/psf follow feed:<feed>\` follows one hub only)` : '';
  return (
    `This channel subscribes to ${feeds}: following the hub as well would bring each post twice${which}. ` +
    `To switch to the follow, \`/psf unsubscribe feed:${first}\` first, then \`/psf follow feed:${first}\`.`
  );
}

/** The reply for a follow Discord refused, by what it said. */
function followFailure(
  answer: Extract<FollowAnswer<unknown>, { ok: false }>,
  hub: HubChannel,
  channelId: string,
): string {
  const here = `<#${channelId}>`;
  switch (answer.failure) {
    case 'missing_permissions':
      return `The bot needs the Manage Webhooks permission in ${here} to follow the ${hub.feed} hub (Discord makes a webhook there). Grant it in the channel's settings → Permissions, then try again.`;
    case 'not_followable':
      return `Discord refused (50024): only a text or announcement channel can follow, and the hub must be an announcement channel. Pick a text channel; if ${here} is one, ask the bot's operator to check the ${hub.feed} hub.`;
    case 'unknown_channel':
      return `Discord does not know the channel (10003): ${here} or the bot's ${hub.feed} hub is gone. If ${here} exists, ask the bot's operator to check DISCORD_HUB_CHANNELS.`;
    case 'missing_access':
      return `The bot cannot see ${here} or the ${hub.feed} hub (50001 Missing Access): give it View Channel in ${here}; if it has it, ask the bot's operator.`;
    case 'too_many_webhooks':
      return `${here} has as many webhooks as Discord allows (30007): delete one in the channel's settings → Integrations → Webhooks, then try again.`;
    case 'rate_limited':
      return `Discord asks the bot to slow down: try again in ${Math.ceil((answer.retryAfterMs ?? 1_000) / 1_000)} s.`;
    case 'refused':
      return `Discord refused the follow of the ${hub.feed} hub (${answer.detail}).`;
    case 'unclear':
      return `Discord gave no clear answer (${answer.detail}), so the follow may or may not exist: look in ${here}'s settings → Integrations before trying again (a second follow would bring each post twice).`;
  }
}

/** The reply for an unfollow Discord refused: the follow stays recorded, since it may still deliver. */
function unfollowFailure(answer: Extract<FollowAnswer<unknown>, { ok: false }>, item: Follow): string {
  const here = `<#${item.channelId}>`;
  const yourself = `or remove it yourself (channel settings → Integrations → Followed Channels) and run \`/psf unfollow\` again so psf-bot forgets it`;
  switch (answer.failure) {
    case 'missing_permissions':
    case 'missing_access':
      return `The bot needs the Manage Webhooks permission in ${here} to end the follow of the ${item.feed} hub: grant it, ${yourself}.`;
    case 'rate_limited':
      return `Discord asks the bot to slow down: try again in ${Math.ceil((answer.retryAfterMs ?? 1_000) / 1_000)} s.`;
    case 'unclear':
      return `Discord gave no clear answer (${answer.detail}): the follow of the ${item.feed} hub may still be there. Try again, ${yourself}.`;
    default:
      return `Discord refused to end the follow of the ${item.feed} hub (${answer.detail}): try again, ${yourself}.`;
  }
}

/** The follows of a channel that take `feeds` (empty: every feed). */
export function followsOf(follows: readonly Follow[], feeds: readonly string[]): Follow[] {
  return follows.filter((item) => feeds.length === 0 || feeds.includes(item.feed));
}

/** `<#C>: follows the psf hub (…)`, for `subscriptions`. */
export function describeFollow(item: Follow): string {
  return `follows the ${item.feed} hub (Discord's channel follow: every ${item.feed} post, copied by Discord; since ${item.createdAt})`;
}

function channelOf(context: CommandContext): ChannelRef {
  return { platform: context.platform, workspaceId: context.workspaceId, channelId: context.channelId };
}
