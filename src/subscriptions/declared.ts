import type { DeclaredSubscription } from '../config.js';
import { normaliseTag } from '../posts/tags.js';
import type { Subscription } from './subscription.js';
import type { SubscriptionStore } from './subscription-store.js';

/** Who created a subscription declared in config (`PSF_SUBSCRIPTIONS`). */
export const CONFIG_CREATOR = 'config';

/**
 * Creates the config-declared subscriptions that do not exist yet (createdBy `config`, created `now`)
 * and leaves existing ones alone, disabled ones included: an operator's or a platform's later change
 * to a channel wins over a restart. Returns the subscriptions it created.
 */
export async function applyDeclaredSubscriptions(
  store: SubscriptionStore,
  declared: readonly DeclaredSubscription[],
  now: Date,
): Promise<Subscription[]> {
  const created: Subscription[] = [];
  for (const entry of declared) {
    if (await store.get(entry)) continue;
    const subscription: Subscription = {
      platform: entry.platform,
      workspaceId: entry.workspaceId,
      channelId: entry.channelId,
      feeds: [...new Set(entry.feeds)],
      tags: [...new Set(entry.tags.map(normaliseTag).filter(Boolean))],
      options: {},
      createdBy: CONFIG_CREATOR,
      createdAt: now.toISOString(),
      disabledReason: null,
      disabledAt: null,
    };
    await store.put(subscription);
    created.push(subscription);
  }
  return created;
}
