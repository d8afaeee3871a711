import type { Platform } from '../posts/post.js';
import type { Subscription } from './subscription.js';

/** Identifies one channel on one platform. */
export interface ChannelRef {
  platform: Platform;
  workspaceId: string;
  channelId: string;
}

/** One subscription per channel; `subscribe` adds feeds to it and replaces its tag filter. */
export interface SubscriptionStore {
  /** Creates or replaces the channel's subscription (re-enabling it). */
  put(subscription: Subscription): Promise<void>;
  get(channel: ChannelRef): Promise<Subscription | null>;
  remove(channel: ChannelRef): Promise<boolean>;
  /** Every subscription, disabled ones included. */
  list(): Promise<Subscription[]>;
  listWorkspace(platform: Platform, workspaceId: string): Promise<Subscription[]>;
  /**
   * Marks the channel's subscription disabled with the reason, replacing an earlier one; with `keep`, a
   * subscription already disabled keeps its reason (a delivery's answer landing after the platform's own word).
   */
  disable(channel: ChannelRef, reason: string, options?: { keep?: boolean }): Promise<void>;
  /** Removes every subscription of a workspace (Slack uninstall); returns how many. */
  removeWorkspace(platform: Platform, workspaceId: string): Promise<number>;
}
