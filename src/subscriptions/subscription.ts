import type { DigestCadence } from '../digests/period.js';
import type { Platform } from '../posts/post.js';

/** Per-subscription options (DESIGN §5). */
export interface SubscriptionOptions {
  /** Discord: crosspost in announcement channels. */
  crosspost?: boolean;
  /** Discord: a role to mention, opt-in. */
  mentionRoleId?: string;
  /** One message a day or a week listing the posts, instead of one message per post. Absent: off. */
  digest?: DigestCadence;
}

/** (platform, workspace or server, channel) → feeds and an optional tag filter. */
export interface Subscription {
  platform: Platform;
  workspaceId: string;
  channelId: string;
  /** Feed names; empty means every configured feed. */
  feeds: string[];
  /** Normalised tags; a post matches when it carries any of them. Empty means every post. */
  tags: string[];
  options: SubscriptionOptions;
  createdBy: string;
  createdAt: string;
  /** Set when a permanent delivery failure disabled it. */
  disabledReason: string | null;
  disabledAt: string | null;
}
