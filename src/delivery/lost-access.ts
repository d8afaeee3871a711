import type { Platform } from '../posts/post.js';
import type { SubscriptionStore } from '../subscriptions/subscription-store.js';

/**
 * Disables every enabled subscription of one server or workspace with the platform's reason (Discord: the
 * server removed the bot); disabled ones keep their first reason. Returns how many were disabled.
 */
export async function disableWorkspace(
  subscriptions: Pick<SubscriptionStore, 'listWorkspace' | 'disable'>,
  platform: Platform,
  workspaceId: string,
  reason: string,
): Promise<number> {
  const enabled = (await subscriptions.listWorkspace(platform, workspaceId)).filter(
    (subscription) => subscription.disabledReason === null,
  );
  for (const subscription of enabled) await subscriptions.disable(subscription, reason);
  return enabled.length;
}
