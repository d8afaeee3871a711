import { DISCORD_PERMISSIONS, PERMISSION_NAMES } from '../../adapters/discord/permissions.js';
import type { SubscriptionOptions } from '../../src/subscriptions/subscription.js';

export {
  channelPermissions,
  DISCORD_PERMISSIONS,
  ROLE_PING_FIX,
  rolePingProblem,
} from '../../adapters/discord/permissions.js';

/**
 * What the invite URL asks for: View Channels, Send Messages, Manage Messages (crossposting), Embed Links,
 * Read Message History, Manage Webhooks (a channel following a hub: Discord makes a webhook there), Create
 * Public Threads and Send Messages in Threads (threads and forum posts).
 */
export const INVITE_PERMISSIONS = (
  [
    'viewChannel',
    'sendMessages',
    'manageMessages',
    'embedLinks',
    'readMessageHistory',
    'manageWebhooks',
    'createPublicThreads',
    'sendMessagesInThreads',
  ] as const
).reduce((sum, name) => sum | DISCORD_PERMISSIONS[name], 0n);

/** The permissions a subscription needs in its channel, by what it asks for. */
export function neededPermissions(options: SubscriptionOptions = {}): (keyof typeof DISCORD_PERMISSIONS)[] {
  const needed: (keyof typeof DISCORD_PERMISSIONS)[] = [
    'viewChannel',
    'sendMessages',
    'embedLinks',
    'readMessageHistory',
  ];
  if (options.crosspost) needed.push('manageMessages');
  if (options.thread || options.forum) needed.push('createPublicThreads', 'sendMessagesInThreads');
  return needed;
}

/**
 * What the bot needs in a channel that follows a hub: to see it, and Manage Webhooks, to end the follow
 * (`/psf unfollow` deletes the webhook) and to make it again. Discord delivers the posts itself.
 */
export const FOLLOW_PERMISSIONS: (keyof typeof DISCORD_PERMISSIONS)[] = ['viewChannel', 'manageWebhooks'];

/** The names of the needed permissions the bot lacks, in order. */
export function missingPermissions(held: bigint, needed: (keyof typeof DISCORD_PERMISSIONS)[]): string[] {
  return needed
    .filter((name) => (held & DISCORD_PERMISSIONS[name]) === 0n)
    .map((name) => PERMISSION_NAMES[name]);
}
