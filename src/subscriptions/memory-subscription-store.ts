import type { Platform } from '../posts/post.js';
import type { Subscription } from './subscription.js';
import type { ChannelRef, SubscriptionStore } from './subscription-store.js';

/** A `SubscriptionStore` in memory, for tests and the console platform; same rules as the Redis one. */
export class MemorySubscriptionStore implements SubscriptionStore {
  private readonly subscriptions = new Map<string, Subscription>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Stores the subscription as given: a null `disabledReason` means enabled. */
  async put(subscription: Subscription): Promise<void> {
    this.subscriptions.set(channelKey(subscription), copy(subscription));
  }

  async get(channel: ChannelRef): Promise<Subscription | null> {
    const found = this.subscriptions.get(channelKey(channel));
    return found ? copy(found) : null;
  }

  async remove(channel: ChannelRef): Promise<boolean> {
    return this.subscriptions.delete(channelKey(channel));
  }

  async list(): Promise<Subscription[]> {
    return [...this.subscriptions.values()].map(copy);
  }

  async listWorkspace(platform: Platform, workspaceId: string): Promise<Subscription[]> {
    return (await this.list()).filter((sub) => sub.platform === platform && sub.workspaceId === workspaceId);
  }

  /** Marks the channel's subscription disabled; a channel without one stays without one. */
  async disable(channel: ChannelRef, reason: string, options: { keep?: boolean } = {}): Promise<void> {
    const found = this.subscriptions.get(channelKey(channel));
    if (found && !(options.keep && found.disabledReason !== null))
      this.subscriptions.set(channelKey(channel), {
        ...found,
        disabledReason: reason,
        disabledAt: this.now().toISOString(),
      });
  }

  async removeWorkspace(platform: Platform, workspaceId: string): Promise<number> {
    let removed = 0;
    for (const [key, sub] of this.subscriptions) {
      if (sub.platform === platform && sub.workspaceId === workspaceId) {
        this.subscriptions.delete(key);
        removed += 1;
      }
    }
    return removed;
  }
}

/** JSON keeps ids that hold `:` apart. */
function channelKey(channel: ChannelRef): string {
  return JSON.stringify([channel.platform, channel.workspaceId, channel.channelId]);
}

function copy(sub: Subscription): Subscription {
  return {
    ...sub,
    feeds: [...sub.feeds],
    tags: [...sub.tags],
    ...(sub.excludedTags ? { excludedTags: [...sub.excludedTags] } : {}),
    options: { ...sub.options },
  };
}
