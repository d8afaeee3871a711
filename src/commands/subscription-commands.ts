import { describeDigest } from '../digests/period.js';
import { normaliseTag } from '../posts/tags.js';
import { cleanOptions, type Subscription, type SubscriptionOptions } from '../subscriptions/subscription.js';
import type { ChannelRef } from '../subscriptions/subscription-store.js';
import { CONFIG_CREATOR } from '../subscriptions/declared.js';
import { styleProblem } from '../templates/style.js';
import { plural, underChannelLock, unknownFeedMessage, type CommandDeps } from './command-deps.js';
import { describeFollow, followsOf } from './follow-commands.js';
import { hubLine, hubsHere } from './hub-answers.js';
import { checkMention, roleMentions, rolePingProblems } from './mentions.js';
import { namedFeedsAndTags } from './subscribe-terms.js';
import type { CommandContext, Reply, SubscribeChanges } from './types.js';

const NOT_ALLOWED: Reply = {
  kind: 'error',
  message: 'Only members who can manage this channel can change or list its announcements.',
};

/**
 * `subscribe [feeds|all] [tags] [options]`: naming feeds sets exactly those (`all`: every feed); naming none keeps
 * the channel's feeds (a new subscription gets every feed). The tag filter and each option change only when given.
 */
export async function subscribe(
  deps: CommandDeps,
  context: CommandContext,
  feed: string | undefined,
  changes: SubscribeChanges,
): Promise<Reply> {
  if (!context.canManage) return NOT_ALLOWED;
  const named = namedFeedsAndTags(deps.feeds, feed, changes);
  if (typeof named === 'string') return { kind: 'error', message: named };
  const mentionProblem = checkMention(changes.mention, context);
  if (mentionProblem) return { kind: 'error', message: mentionProblem };
  // Choosing @everyone (the server's id) clears the mention, so only a real role is the member's to grant.
  const mayMention =
    changes.mention && changes.mention !== context.workspaceId
      ? context.mentionProblem?.(changes.mention)
      : null;
  if (mayMention) return { kind: 'error', message: mayMention };
  const styleRefused = changes.style === undefined ? null : styleProblem(changes.style, context.platform);
  if (styleRefused) return { kind: 'error', message: styleRefused };
  const channel = channelOf(context);
  return underChannelLock(deps, channel, () => writeSubscription(deps, context, channel, named, changes));
}

/** The check-and-write of `subscribe`, under the channel's lock (a `follow` of the same channel waits). */
async function writeSubscription(
  deps: CommandDeps,
  context: CommandContext,
  channel: ChannelRef,
  named: Exclude<ReturnType<typeof namedFeedsAndTags>, string>,
  changes: SubscribeChanges,
): Promise<Reply> {
  const existing = await deps.subscriptions.get(channel);
  if (!existing) {
    const full = await workspaceFull(deps, context);
    if (full) return full;
  }
  // An empty feed list means every feed; no feed named keeps the subscription's feeds (changing one option
  // keeps the others), and a new subscription gets every feed.
  const feeds = named.feeds ?? existing?.feeds ?? [];
  const followed = followsOf((await deps.follows?.listChannel(channel)) ?? [], feeds);
  if (followed.length > 0)
    return followingMessage(
      followed.map((item) => item.feed),
      deps,
    );
  const tags = named.tags ?? existing?.tags ?? [];
  const excluded = named.tags !== undefined ? named.excludedTags : (existing?.excludedTags ?? []);
  const subscription: Subscription = {
    ...channel,
    feeds,
    tags: [...new Set(tags.map(normaliseTag).filter(Boolean))],
    ...(excluded.length > 0
      ? { excludedTags: [...new Set(excluded.map(normaliseTag).filter(Boolean))] }
      : {}),
    options: mergeOptions(existing?.options ?? {}, changes, context),
    createdBy: context.userId,
    // A subscription receives what is announced after it was created: an update must not reset that.
    createdAt: existing?.createdAt ?? now(deps).toISOString(),
    disabledReason: null,
    disabledAt: null,
  };
  await deps.subscriptions.put(subscription);
  const held = existing?.options.digest;
  let last = '';
  if (held && !subscription.options.digest && deps.finalDigest) {
    // Posts held for the digest would otherwise never be sent: they come once now, as one last digest.
    await deps.finalDigest.queue(channel, held, now(deps));
    last = ` Posts announced since its last ${held} digest come now, as one last digest.`;
  }
  // Subscribing again is how a manager says the channel was looked at: its note goes.
  await deps.notes?.clear(channel);
  const reenabled = existing?.disabledReason
    ? ` It was disabled (${existing.disabledReason}) and is enabled again.`
    : '';
  return {
    kind: 'text',
    text: `This channel now gets ${describe(subscription, deps)}.${reenabled}${last}`,
    ...roleMentions([subscription]),
  };
}

/**
 * The reply when the channel follows the hub of a feed the subscription would take: Discord already copies
 * those posts into it, and a subscription as well would bring each twice.
 */
function followingMessage(feeds: readonly string[], deps: CommandDeps): Reply {
  const first = feeds[0]!;
  const others = deps.feeds.map((item) => item.name).filter((name) => !feeds.includes(name));
  const instead =
    others.length > 0
      ? ` Other feeds can still be subscribed here (\`/psf subscribe feed:${others[0]}\`).`
      : '';
  return {
    kind: 'error',
    message:
      `This channel follows the ${feeds.join(', ')} hub: Discord already copies those posts here, and a subscription as well would bring each twice. ` +
      `To switch to a subscription, \`/psf unfollow feed:${first}\` first, then subscribe.${instead}`,
  };
}

/**
 * The reply when this workspace already has as many chat-made subscriptions as the operator allows; null when a
 * new one fits. Subscriptions the operator declared (`PSF_SUBSCRIPTIONS`) are not counted. On a public
 * deployment the limit keeps one manager from subscribing every channel and slowing fan-out for everyone.
 */
async function workspaceFull(deps: CommandDeps, context: CommandContext): Promise<Reply | null> {
  const limit = deps.maxSubscriptionsPerWorkspace ?? 0;
  if (limit <= 0) return null;
  const all = await deps.subscriptions.listWorkspace(context.platform, context.workspaceId);
  const made = all.filter((sub) => sub.createdBy !== CONFIG_CREATOR).length;
  if (made < limit) return null;
  return {
    kind: 'error',
    message: `This workspace already has ${plural(made, 'subscribed channel')}, the most this bot allows (${limit}). Unsubscribe another channel first (\`subscriptions\` lists them).`,
  };
}

/** `unsubscribe [feed]`: drops one feed, or the whole subscription. */
export async function unsubscribe(
  deps: CommandDeps,
  context: CommandContext,
  feed: string | undefined,
): Promise<Reply> {
  if (!context.canManage) return NOT_ALLOWED;
  const channel = channelOf(context);
  const existing = await deps.subscriptions.get(channel);
  if (!existing) return { kind: 'text', text: 'This channel has no subscription.' };
  const declared = deps.declared?.some((entry) => sameChannel(entry, channel)) ?? false;
  if (feed === undefined && declared) return DECLARED;
  if (feed === undefined) {
    await deps.subscriptions.remove(channel);
    return { kind: 'text', text: 'This channel gets no more announcements.' };
  }
  const known = deps.feeds.map((item) => item.name);
  if (!known.includes(feed) && !existing.feeds.includes(feed)) {
    return { kind: 'error', message: unknownFeedMessage(feed, deps.feeds) };
  }
  const current = existing.feeds.length === 0 ? known : existing.feeds;
  if (!current.includes(feed)) return { kind: 'text', text: `This channel does not get ${feed}.` };
  const remaining = current.filter((name) => name !== feed);
  // An empty list would mean every feed, the opposite of what was asked: remove the subscription instead.
  if (remaining.length === 0) {
    if (declared) return DECLARED;
    await deps.subscriptions.remove(channel);
    return { kind: 'text', text: `This channel gets no more announcements (${feed} was its only feed).` };
  }
  const updated: Subscription = { ...existing, feeds: remaining };
  await deps.subscriptions.put(updated);
  return {
    kind: 'text',
    text: `Done: this channel now gets ${describe(updated, deps)}.`,
    ...roleMentions([updated]),
  };
}

/** The poller re-creates a declared subscription within a minute, so chat must not pretend to remove it. */
const DECLARED: Reply = {
  kind: 'error',
  message:
    "This channel's subscription is set by the operator's configuration (PSF_SUBSCRIPTIONS) and cannot be removed " +
    'from chat: it stays. Ask the operator to remove it from the configuration.',
};

function sameChannel(a: ChannelRef, b: ChannelRef): boolean {
  return a.platform === b.platform && a.workspaceId === b.workspaceId && a.channelId === b.channelId;
}

/** `subscriptions`: this workspace's subscriptions on this platform, disabled ones with their reason. */
export async function listSubscriptions(deps: CommandDeps, context: CommandContext): Promise<Reply> {
  if (!context.canManage) return NOT_ALLOWED;
  const all = await deps.subscriptions.listWorkspace(context.platform, context.workspaceId);
  const follows = (await deps.follows?.listWorkspace(context.platform, context.workspaceId)) ?? [];
  const hubs = hubsHere(deps, context);
  if (all.length === 0 && follows.length === 0 && hubs.length === 0)
    return { kind: 'text', text: 'No channel here gets announcements. `subscribe` starts them in this one.' };
  const notes = new Map(
    (await (deps.notes?.all() ?? Promise.resolve([])))
      .filter(
        ({ channel }) => channel.platform === context.platform && channel.workspaceId === context.workspaceId,
      )
      .map(({ channel, note }) => [channel.channelId, note]),
  );
  const pings = await rolePingProblems(deps, all);
  const lines = all
    .sort((a, b) => (a.channelId < b.channelId ? -1 : a.channelId > b.channelId ? 1 : 0))
    .map((sub) => {
      const here = sub.channelId === context.channelId ? ' (this channel)' : '';
      const disabled = sub.disabledReason
        ? `; DISABLED since ${sub.disabledAt ?? 'unknown'}: ${sub.disabledReason} (\`subscribe\` there re-enables it)`
        : '';
      const note = notes.get(sub.channelId);
      const noted = note ? `; NOTE (${note.at}): ${note.text}` : '';
      const ping = pings.get(sub.channelId);
      const warned = ping ? `; WARNING: ${ping}` : '';
      return `• ${channelMention(sub)}${here}: ${describe(sub, deps)}${disabled}${noted}${warned}`;
    });
  const followLines = follows.map((item) => {
    const here = item.channelId === context.channelId ? ' (this channel)' : '';
    return `• <#${item.channelId}>${here}: ${describeFollow(item)}`;
  });
  const here = all.find((sub) => sub.channelId === context.channelId);
  const text = [
    ...(hubs.length > 0 ? ['Hub:', ...hubs.map((hub) => hubLine(hub, here))] : []),
    ...(all.length > 0 || (follows.length === 0 && hubs.length === 0)
      ? [`Subscriptions (${all.length}):`, ...lines]
      : []),
    ...(follows.length > 0 ? [`Follows (${follows.length}):`, ...followLines] : []),
  ].join('\n');
  if (context.platform === 'console') return { kind: 'text', text };
  const channels = [...new Set([...all, ...follows, ...hubs].map((item) => item.channelId))];
  return { kind: 'text', text, channels, ...roleMentions(all) };
}

/** Each option given replaces its value; the others are kept. A mention of the whole server (@everyone) clears it. */
function mergeOptions(
  current: SubscriptionOptions,
  changes: SubscribeChanges,
  context: CommandContext,
): SubscriptionOptions {
  const workspaceId = context.workspaceId;
  const next: Record<string, unknown> = { ...current };
  // What kind of channel it is comes from the platform, each time, never from the user.
  if (context.forum === true) next.forum = true;
  if (context.forum === false) delete next.forum;
  if (changes.crosspost !== undefined) next.crosspost = changes.crosspost;
  if (changes.thread !== undefined) next.thread = changes.thread;
  if (changes.digest === 'off') delete next.digest;
  else if (changes.digest !== undefined) next.digest = changes.digest;
  if (changes.template === null) delete next.template;
  else if (changes.template !== undefined) next.template = changes.template;
  if (changes.style !== undefined) next.style = changes.style;
  if (changes.mention !== undefined) {
    // Discord's @everyone role has the server's id; it is never pinged, so choosing it means "no role".
    if (changes.mention === null || changes.mention === workspaceId) delete next.mentionRoleId;
    else next.mentionRoleId = changes.mention;
  }
  return cleanOptions(next);
}

/**
 * `posts from psf, insider tagged grants or pycon, not tagged sponsors, mentioning <@&1>, crossposted`, and for a
 * digest channel when the next digest comes (`as one weekly digest, next on Monday 15:00 UTC`).
 */
export function describe(sub: Subscription, deps?: Pick<CommandDeps, 'digestSchedule' | 'now'>): string {
  const feeds = sub.feeds.length === 0 ? 'every feed' : sub.feeds.join(', ');
  const tags = sub.tags.length === 0 ? '' : ` tagged ${sub.tags.join(' or ')}`;
  const excluded = sub.excludedTags?.length ? `, not tagged ${sub.excludedTags.join(' or ')}` : '';
  const role = sub.options.mentionRoleId;
  const mention = role
    ? `, mentioning ${sub.platform === 'slack' ? `user group ${role}` : sub.platform === 'discord' ? `<@&${role}>` : role}`
    : '';
  const crosspost = sub.options.crosspost ? ', crossposted' : '';
  const thread = sub.options.thread ? ', a thread on each' : '';
  const cadence = sub.options.digest;
  const digest = !cadence
    ? ''
    : deps?.digestSchedule
      ? `, as one ${describeDigest(cadence, deps.digestSchedule, now(deps))}`
      : `, as one ${cadence} digest message`;
  const style = sub.options.style ? `, in the ${sub.options.style} style` : '';
  const template = sub.options.template ? `, with the template “${shortTemplate(sub.options.template)}”` : '';
  return `posts from ${feeds}${tags}${excluded}${mention}${crosspost}${thread}${digest}${style}${template}`;
}

/** A template as `describe` quotes it: one line, at most 80 characters. */
function shortTemplate(template: string): string {
  const line = template.replace(/\s+/g, ' ');
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

/** `<#C123>` on Slack, `<#123>` on Discord (each shows a link to the channel); the console has no mentions. */
function channelMention(sub: Subscription): string {
  return sub.platform === 'console' ? `channel ${sub.channelId}` : `<#${sub.channelId}>`;
}

function channelOf(context: CommandContext): ChannelRef {
  return { platform: context.platform, workspaceId: context.workspaceId, channelId: context.channelId };
}

function now(deps: Pick<CommandDeps, 'now'>): Date {
  return (deps.now ?? (() => new Date()))();
}
