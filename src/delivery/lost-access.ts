import type { Logger } from '../logger.js';
import type { Platform } from '../posts/post.js';
import type { SubscriptionStore } from '../subscriptions/subscription-store.js';

/**
 * Disables every subscription of one server or workspace with the platform's reason (Discord: the server
 * removed the bot), replacing an earlier reason: this one is the platform's last word. Returns how many.
 */
export async function disableWorkspace(
  subscriptions: Pick<SubscriptionStore, 'listWorkspace' | 'disable'>,
  platform: Platform,
  workspaceId: string,
  reason: string,
): Promise<number> {
  const all = await subscriptions.listWorkspace(platform, workspaceId);
  for (const subscription of all) await subscriptions.disable(subscription, reason);
  return all.length;
}

/** Why a server's subscriptions are disabled when the gateway says it removed the bot. */
export const GUILD_DELETE_REASON = 'GUILD_DELETE: the bot was removed from this server';

/**
 * Gateway mode: a server removed the bot (`GUILD_DELETE`, not an outage). Every subscription there is
 * disabled at once with the reason, so no delivery to it is even tried; `subscribe` there again (after
 * inviting the bot back) re-enables it.
 */
export async function disableRemovedServer(
  subscriptions: Pick<SubscriptionStore, 'listWorkspace' | 'disable'>,
  guildId: string,
  logger: Logger,
): Promise<void> {
  const disabled = await disableWorkspace(subscriptions, 'discord', guildId, GUILD_DELETE_REASON);
  logger.warn({ guild: guildId, disabled }, 'Discord server removed the bot; its subscriptions are disabled');
}
