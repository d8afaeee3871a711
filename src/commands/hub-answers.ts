import type { HubChannel } from '../config/hubs.js';
import { hubRef } from '../delivery/hub-ref.js';
import type { LedgerEntry } from '../delivery/ledger.js';
import { postKey } from '../posts/identity.js';
import type { Post } from '../posts/post.js';
import type { Subscription } from '../subscriptions/subscription.js';
import type { CommandDeps } from './command-deps.js';
import type { CommandContext } from './types.js';

/** The hubs (`DISCORD_HUB_CHANNELS`) that are the channel a command was asked in: Discord only. */
export function hubsHere(deps: Pick<CommandDeps, 'hubs'>, context: CommandContext): HubChannel[] {
  if (context.platform !== 'discord' || context.direct) return [];
  return (deps.hubs ?? []).filter((hub) => hub.channelId === context.channelId);
}

/** What a hub channel is, in one clause: `the operator's hub for feed psf (…)`. */
function hubClause(feed: string): string {
  return `the bot operator's hub for feed ${feed} (DISCORD_HUB_CHANNELS): psf-bot posts every ${feed} post here and publishes it to the channels that follow it`;
}

/**
 * `subscriptions` in a hub channel: a line saying what the channel is, and, when it also subscribes to the hub's
 * feed, that those posts come once, through the hub.
 */
export function hubLine(hub: HubChannel, subscription: Subscription | undefined): string {
  const takes = subscription && (subscription.feeds.length === 0 || subscription.feeds.includes(hub.feed));
  const once = takes ? `; its subscription's ${hub.feed} posts come once, as the hub's` : '';
  return `• <#${hub.channelId}> (this channel): ${hubClause(hub.feed)}; other channels follow it with \`/psf follow feed:${hub.feed}\`${once}`;
}

/**
 * `why` in the hub of the post's feed: answered from the hub's own delivery in the ledger (sent, then published
 * to the followers), or from its deliver job when nothing is recorded.
 */
export async function hubWhy(
  deps: CommandDeps,
  context: CommandContext,
  post: Post,
  hub: HubChannel,
  link: (entry: LedgerEntry) => string,
): Promise<string> {
  const channel = hubRef(hub.channelId);
  const entry = (await deps.ledger?.get(postKey(post.feed, post.id), channel)) ?? null;
  const what = `this channel is ${hubClause(hub.feed)}`;
  if (entry) {
    const edited = entry.editedAt ? ` (edited ${entry.editedAt})` : '';
    const published = entry.crosspostedAt
      ? `published to its followers ${entry.crosspostedAt}`
      : 'not yet published to its followers (it waits for one of the about 10 publishes an hour Discord allows a channel, or its publish is retried)';
    return `posted here ${entry.deliveredAt}${edited}, ${published}: ${link(entry)} (${what}).`;
  }
  const state = (await deps.deliveries?.state(post, channel)) ?? { state: 'none' as const };
  switch (state.state) {
    case 'queued':
      return `not posted yet: queued for the hub (${what}).`;
    case 'failed':
      return `the hub's delivery failed: ${state.error}. \`psf-bot deliveries retry\` can re-drive it (${what}).`;
    case 'skipped':
      return `not posted: ${state.reason} (${what}).`;
    default:
      return `not posted here: no delivery to the hub is recorded (published before the hub was set, or not fanned out yet; ${what}).`;
  }
}
