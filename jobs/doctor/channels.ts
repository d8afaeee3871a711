import { SLACK_HISTORY_SCOPES } from '../../adapters/slack/scopes.js';
import type { Config } from '../../src/config.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import { discordGet, slackCall, type PlatformPeer } from './http.js';
import { describeError, fail, pass, type DoctorCheck } from './report.js';
import { SLACK_AUTH_ERRORS } from './tokens.js';
import { checkDiscordPermissions } from './discord-channel-permissions.js';
import type { SubscriptionOptions } from '../../src/subscriptions/subscription.js';

/** A subscribed channel to check, with why it is disabled when it is. */
export interface ChannelToCheck extends ChannelRef {
  disabledReason: string | null;
  /** What the subscription asks for (threads, forum posts, crossposting need more permissions). */
  options?: SubscriptionOptions;
  /** The subscription's feeds (empty: every feed). */
  feeds?: readonly string[];
}

/** Where multi-workspace Slack finds a workspace's bot token (the Slack adapter's installation store fits). */
export interface SlackTokenLookup {
  botToken(teamId: string): Promise<string>;
}

/** What checking channels needs. */
export interface ChannelCheckDeps {
  config: Pick<Config, 'discord' | 'slack'>;
  peer: PlatformPeer;
  slackTokens?: SlackTokenLookup;
}

/** Advice when a re-send cannot first look for the message of an attempt whose answer was lost. */
const LOOK_DISCORD =
  'grant Read Message History there, so a delivery retried after a lost answer first looks for its message (without it, it may post twice)';
const LOOK_SLACK = `add the ${SLACK_HISTORY_SCOPES.join(' and ')} scopes and reinstall, so a delivery retried after a lost answer first looks for its message (without them, it may post twice)`;

const DISCORD_ACCESS =
  'give the bot View Channel, Send Messages and Embed Links there (channel settings → Permissions), or unsubscribe it';

async function checkDiscordChannel(
  channel: ChannelToCheck,
  deps: ChannelCheckDeps,
  name: string,
): Promise<DoctorCheck> {
  const discord = deps.config.discord;
  if (!discord)
    return fail(
      name,
      'subscribed, but Discord is not configured',
      'set DISCORD_TOKEN and DISCORD_APPLICATION_ID',
    );
  const answer = await discordGet(deps.peer, discord, 'getChannel', { channelId: channel.channelId });
  if (answer.status === 200) {
    const permissions = await checkDiscordPermissions(channel, deps, name, answer.body ?? {});
    // A forum has no messages of its own to read; elsewhere the history is where a re-send looks first.
    if (!permissions.ok || channel.options?.forum) return permissions;
    const history = await discordGet(
      deps.peer,
      discord,
      'listMessages',
      { channelId: channel.channelId },
      new URLSearchParams({ limit: '1' }),
    );
    return history.status === 200
      ? permissions
      : pass(name, `${permissions.detail}; it cannot read its history`, LOOK_DISCORD);
  }
  if (answer.status === 403)
    return fail(name, 'the bot cannot see this channel (403 Missing Access)', DISCORD_ACCESS);
  if (answer.status === 404) {
    return fail(
      name,
      'unknown channel (404): deleted, or the bot left the server',
      'invite the bot back to the server, or remove the subscription',
    );
  }
  if (answer.status === 401)
    return fail(name, 'Discord refused the token (401)', 'fix DISCORD_TOKEN (see discord: token)');
  return fail(
    name,
    `GET /channels answered HTTP ${answer.status}`,
    "run doctor again; if it persists, check Discord's status page",
  );
}

function slackFailure(name: string, error: string): DoctorCheck {
  if (error === 'channel_not_found') {
    return fail(
      name,
      'channel_not_found: the bot cannot see it',
      'invite the bot there (/invite @your-bot; private channels need it), or unsubscribe',
    );
  }
  if (error === 'missing_scope') {
    return fail(
      name,
      'missing_scope: the app cannot read channel info',
      'add the channels:read and groups:read scopes and reinstall the app',
    );
  }
  if (SLACK_AUTH_ERRORS.has(error) || error === 'not_installed') {
    return fail(name, `${error}: the workspace's token does not work`, 'reinstall the app in that workspace');
  }
  return fail(
    name,
    `conversations.info failed: ${error}`,
    `see https://api.slack.com/methods/conversations.info for "${error}"`,
  );
}

async function checkSlackChannel(
  channel: ChannelToCheck,
  deps: ChannelCheckDeps,
  name: string,
): Promise<DoctorCheck> {
  const slack = deps.config.slack;
  if (!slack)
    return fail(
      name,
      'subscribed, but Slack is not configured',
      'set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET',
    );
  let token = slack.botToken;
  if (!token && deps.slackTokens) {
    try {
      token = await deps.slackTokens.botToken(channel.workspaceId);
    } catch {
      return slackFailure(name, 'not_installed');
    }
  }
  if (!token)
    return fail(
      name,
      'no bot token for this workspace',
      'install the app in the workspace (OAuth) or set SLACK_BOT_TOKEN',
    );
  const answer = await slackCall(deps.peer, slack.apiUrl, token, 'conversations.info', {
    channel: channel.channelId,
  });
  if (answer.ok !== true) return slackFailure(name, String(answer.error ?? 'unknown_error'));
  const info = (answer.channel ?? {}) as { name?: string; is_member?: boolean; is_archived?: boolean };
  const label = `#${info.name ?? channel.channelId}`;
  if (info.is_archived) return fail(name, `${label} is archived`, 'unarchive it, or unsubscribe it');
  if (info.is_member !== true) {
    return fail(
      name,
      `the bot is not a member of ${label}`,
      `invite the bot (/invite @your-bot in ${label}), or grant chat:write.public for public channels`,
    );
  }
  const history = await slackCall(deps.peer, slack.apiUrl, token, 'conversations.history', {
    channel: channel.channelId,
    limit: '1',
  });
  if (history.ok !== true) {
    return pass(
      name,
      `${label}: the bot is a member; it cannot read history (${String(history.error)})`,
      LOOK_SLACK,
    );
  }
  return pass(name, `${label}: the bot is a member`);
}

/** One channel: can the bot see it (Discord `GET /channels/{id}`, Slack `conversations.info` and `is_member`)? */
export async function checkChannel(
  channel: ChannelToCheck,
  deps: ChannelCheckDeps,
): Promise<DoctorCheck | null> {
  if (channel.platform === 'console') return null;
  const name = `${channel.platform}: channel ${channel.channelId} (${channel.workspaceId})`;
  let result: DoctorCheck;
  try {
    result =
      channel.platform === 'discord'
        ? await checkDiscordChannel(channel, deps, name)
        : await checkSlackChannel(channel, deps, name);
  } catch (error) {
    return fail(
      name,
      describeError(error),
      'check the network and the platform API URL, then run doctor again',
    );
  }
  if (!channel.disabledReason) return result;
  // A disabled subscription receives nothing, so it needs an operator whatever the platform says now.
  return result.ok
    ? fail(
        name,
        `disabled (${channel.disabledReason}), though the bot can see it now`,
        'run /psf subscribe in the channel to re-enable it',
      )
    : { ...result, detail: `disabled (${channel.disabledReason}); ${result.detail}` };
}

/** Checks every channel, a few at a time so a large deployment does not trip rate limits. */
export async function checkChannels(
  channels: readonly ChannelToCheck[],
  deps: ChannelCheckDeps,
  concurrency = 4,
): Promise<DoctorCheck[]> {
  const results: Array<DoctorCheck | null> = new Array(channels.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < channels.length) {
      const index = next;
      next += 1;
      results[index] = await checkChannel(channels[index]!, deps);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, channels.length) }, worker));
  return results.filter((result): result is DoctorCheck => result !== null);
}
