import { z } from 'zod';
import type { Platform } from '../posts/post.js';
import { STYLES } from '../templates/style.js';
import { MAX_TEMPLATE_LENGTH } from '../templates/template.js';

/**
 * Per-subscription options (DESIGN §5), one schema for storage and commands: each option is optional,
 * and `subscribe` changes only the options it is given. New options are new keys here (and in
 * `SUBSCRIPTION_OPTION_KEYS`); nothing else in the store needs to change.
 */
export const subscriptionOptionsSchema = z.object({
  /** Discord: crosspost in announcement channels. */
  crosspost: z.boolean().optional(),
  /** Discord: a role to mention (`<@&id>`); Slack: a user group (`<!subteam^ID>`). Opt-in. */
  mentionRoleId: z.string().optional(),
  /** Discord: open a thread on each announcement, named after the post title. */
  thread: z.boolean().optional(),
  /** Discord: the channel is a forum (type 15), so each announcement is a forum post. From the channel, not typed. */
  forum: z.boolean().optional(),
  /** One message a day or a week listing the posts, instead of one message per post. Absent: off. */
  digest: z.enum(['daily', 'weekly']).optional(),
  /** The manager's announcement template (`{{title}} by {{author||feed}}`); absent: none. */
  template: z.string().max(MAX_TEMPLATE_LENGTH).optional(),
  /** The layout: Discord `embed` (default) or `components`; Slack `blocks` (default) or `card`. */
  style: z.enum(STYLES).optional(),
});

/** Per-subscription options; absent means off. */
export type SubscriptionOptions = z.infer<typeof subscriptionOptionsSchema>;

/** The option keys, for copying and merging without naming each one. */
export const SUBSCRIPTION_OPTION_KEYS = Object.keys(
  subscriptionOptionsSchema.shape,
) as (keyof SubscriptionOptions)[];

/** Options without absent keys (exactOptionalPropertyTypes: never `key: undefined`). */
export function cleanOptions(options: Record<string, unknown>): SubscriptionOptions {
  const parsed = subscriptionOptionsSchema.parse(options);
  return Object.fromEntries(
    Object.entries(parsed).filter(([, value]) => value !== undefined),
  ) as SubscriptionOptions;
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
  /** Normalised tags written `-tag`: a post carrying any of them is never announced here. */
  excludedTags?: string[];
  options: SubscriptionOptions;
  createdBy: string;
  createdAt: string;
  /** Set when a permanent delivery failure disabled it. */
  disabledReason: string | null;
  disabledAt: string | null;
}
