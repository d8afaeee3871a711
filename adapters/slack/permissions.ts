import { DeliveryError } from '../../src/delivery/announcer.js';
import type { Logger } from '../../src/logger.js';
import type { SlackClient } from './client.js';

/**
 * Whether the user may manage this workspace's subscriptions: a configured admin user, or a workspace
 * admin or owner according to `users.info` (needs `users:read`).
 * https://docs.slack.dev/reference/methods/users.info
 */
export async function isWorkspaceAdmin(
  client: SlackClient,
  userId: string,
  adminUsers: readonly string[],
  logger: Logger,
): Promise<boolean> {
  if (adminUsers.includes(userId)) return true;
  try {
    const { user } = await client.call('users.info', { user: userId });
    return Boolean(user?.is_admin || user?.is_owner || user?.is_primary_owner);
  } catch (error) {
    // Failing closed: a user we cannot look up manages nothing; the log says why.
    logger.warn({ err: error, userId }, 'users.info failed; treating the user as a non-admin');
    return false;
  }
}

/**
 * Why announcements could not reach this channel, in words for the person subscribing, or `null` when they
 * can. Public channels need no membership thanks to `chat:write.public`; private channels (and DMs, which
 * `conversations.info` reports as not found to a non-member) need the bot invited.
 * https://docs.slack.dev/reference/scopes/chat:write.public
 */
export async function channelAccessProblem(
  client: SlackClient,
  channelId: string,
  logger: Logger,
): Promise<string | null> {
  const invite =
    "Invite me first (type `/invite` here and pick this app, or add it under the channel's Integrations), then run `/psf subscribe` again.";
  try {
    const { channel } = await client.call('conversations.info', { channel: channelId });
    if (channel?.is_archived) return 'This channel is archived, so I cannot post announcements here.';
    if (channel?.is_private && !channel.is_member)
      return `I am not a member of this private channel. ${invite}`;
    return null;
  } catch (error) {
    const code = error instanceof DeliveryError ? error.code : null;
    if (code === 'channel_not_found' || code === 'not_in_channel') {
      return `I cannot see this channel: it is private or a direct message I am not part of. ${invite}`;
    }
    // Anything else (a missing scope, Slack down) should not block subscribing: delivery reports real problems.
    logger.warn({ err: error, channelId }, 'conversations.info failed; subscribing without a channel check');
    return null;
  }
}

/**
 * The user group a subscription would mention, given as its id (`S…`) or `@handle` (slash command text arrives
 * unescaped): it must exist in this workspace and be enabled, else the answer says why. Slack itself decides who
 * may ping it. `usergroups.list` (scope `usergroups:read`) hides disabled groups unless `include_disabled` is
 * set, and marks them with a non-zero `date_delete`.
 * https://docs.slack.dev/reference/methods/usergroups.list
 */
export async function resolveUserGroup(
  client: SlackClient,
  mention: string,
  logger: Logger,
): Promise<{ ok: true; id: string } | { ok: false; message: string }> {
  const handle = mention.startsWith('@') ? mention.slice(1).toLowerCase() : null;
  const shown = (handle === null ? mention : `@${handle}`).slice(0, 80);
  try {
    const { usergroups } = await client.call('usergroups.list', { include_disabled: true });
    const found = (usergroups ?? []).find((group) =>
      handle === null ? group.id === mention : group.handle?.toLowerCase() === handle,
    );
    if (!found?.id) return { ok: false, message: `No user group ${shown} in this workspace.` };
    if ((found.date_delete ?? 0) > 0)
      return {
        ok: false,
        message: `The user group ${shown} is disabled, so it cannot be mentioned: enable it in Slack first, or pick another.`,
      };
    return { ok: true, id: found.id };
  } catch (error) {
    logger.warn({ err: error }, 'usergroups.list failed');
    return {
      ok: false,
      message:
        'I could not read the user groups (the app needs the usergroups:read scope; reinstall it after adding it).',
    };
  }
}
