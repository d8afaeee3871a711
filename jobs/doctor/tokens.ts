import { wrongBotMessage } from '../../adapters/discord/identity.js';
import type { Config } from '../../src/config.js';
import { missingScopes, SLACK_HISTORY_SCOPES } from '../../adapters/slack/scopes.js';
import { discordGet, slackCall, type PlatformPeer } from './http.js';
import { describeError, fail, pass, type DoctorCheck } from './report.js';

type DiscordConfig = NonNullable<Config['discord']>;
type SlackConfig = NonNullable<Config['slack']>;

/** Slack errors meaning the token itself is wrong or dead (auth.test's documented errors). */
export const SLACK_AUTH_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
]);

async function checkDiscordApplication(
  discord: DiscordConfig,
  peer: PlatformPeer,
  botId: string,
): Promise<DoctorCheck> {
  const name = 'discord: application';
  const answer = await discordGet(peer, discord, 'currentApplication', {});
  if (answer.status !== 200 || !answer.body) {
    return fail(
      name,
      `GET /applications/@me answered HTTP ${answer.status}`,
      'check DISCORD_TOKEN is a bot token',
    );
  }
  const id = String(answer.body.id ?? '');
  if (id !== discord.applicationId) {
    // Deliveries stay paused meanwhile: that bot's server list lacks the subscribed servers (identity.ts).
    return fail(
      name,
      `${wrongBotMessage(botId, discord.applicationId)} (the token's application is ${id}); Discord deliveries stay paused until it is`,
      `put the token of application ${discord.applicationId}'s bot into DISCORD_TOKEN (Developer Portal → Bot → Reset Token), or, if that bot is the right one, its Application ID into DISCORD_APPLICATION_ID`,
    );
  }
  const verifyKey = String(answer.body.verify_key ?? '');
  if (discord.mode === 'http' && verifyKey.toLowerCase() !== discord.publicKey?.toLowerCase()) {
    return fail(
      name,
      "DISCORD_PUBLIC_KEY is not this application's public key: every interaction would fail verification",
      'copy the Public Key from the Developer Portal (General Information) into DISCORD_PUBLIC_KEY',
    );
  }
  return pass(name, `application ${id}${discord.mode === 'http' ? ', public key matches' : ''}`);
}

/** Discord: the bot token authenticates (`GET /users/@me`) and belongs to the configured application. */
export async function checkDiscordToken(discord: DiscordConfig, peer: PlatformPeer): Promise<DoctorCheck[]> {
  const name = 'discord: token';
  try {
    const answer = await discordGet(peer, discord, 'currentUser', {});
    if (answer.status === 401) {
      return [
        fail(
          name,
          'Discord refused the token (401 Unauthorized)',
          'DISCORD_TOKEN is wrong or was reset: copy a fresh one from the Developer Portal (Bot → Reset Token)',
        ),
      ];
    }
    if (answer.status !== 200 || !answer.body) {
      return [
        fail(
          name,
          `GET /users/@me answered HTTP ${answer.status}`,
          answer.status === 429 || answer.status >= 500
            ? 'Discord is busy or having trouble: run doctor again in a few minutes'
            : `check DISCORD_API_URL (${discord.apiUrl}) names Discord's API`,
        ),
      ];
    }
    const botId = String(answer.body.id ?? '?');
    const user = `${String(answer.body.username ?? '?')} (${botId})`;
    return [pass(name, `authenticated as bot ${user}`), await checkDiscordApplication(discord, peer, botId)];
  } catch (error) {
    return [
      fail(
        name,
        `cannot reach ${discord.apiUrl}: ${describeError(error)}`,
        'check the network and DISCORD_API_URL',
      ),
    ];
  }
}

/**
 * A token without some of the scopes the app asks for (the one list, `adapters/slack/scopes.ts`): failing,
 * unless only the history scopes are missing (then re-sends go out without looking first).
 */
function scopeCheck(name: string, detail: string, granted: readonly string[] | undefined): DoctorCheck {
  const missing = granted === undefined ? [] : missingScopes(granted);
  if (missing.length === 0) return pass(name, detail);
  const fix = `add ${missing.join(', ')} to the app's bot scopes (manifest.yml lists every one) and reinstall the app, then copy the new Bot User OAuth Token`;
  const lacks = `${detail}; the token lacks ${missing.join(', ')}`;
  return missing.every((scope) => SLACK_HISTORY_SCOPES.includes(scope))
    ? pass(name, `${lacks}: a delivery retried after a lost answer cannot look for its message first`, fix)
    : fail(name, lacks, fix);
}

async function checkSlackBotToken(
  slack: SlackConfig,
  token: string,
  peer: PlatformPeer,
): Promise<DoctorCheck> {
  const name = 'slack: token';
  const answer = await slackCall(peer, slack.apiUrl, token, 'auth.test');
  // Slack lists the token's scopes in `x-oauth-scopes`; web-api hands them over as response_metadata.scopes.
  const scopes = (answer.response_metadata as { scopes?: string[] } | undefined)?.scopes;
  if (answer.ok === true) {
    const who = `authenticated as @${String(answer.user)} in ${String(answer.team)} (${String(answer.team_id)})`;
    return scopeCheck(name, who, scopes);
  }
  const error = String(answer.error ?? 'unknown_error');
  const fix = SLACK_AUTH_ERRORS.has(error)
    ? 'SLACK_BOT_TOKEN is wrong or revoked: reinstall the app and copy the Bot User OAuth Token (xoxb-…)'
    : `see https://api.slack.com/methods/auth.test for "${error}"`;
  return fail(name, `auth.test failed: ${error}`, fix);
}

async function checkSlackAppToken(
  slack: SlackConfig,
  appToken: string,
  peer: PlatformPeer,
): Promise<DoctorCheck> {
  // apps.connections.open only hands out a WebSocket URL; nothing connects to it.
  const answer = await slackCall(peer, slack.apiUrl, appToken, 'apps.connections.open');
  if (answer.ok === true) return pass('slack: app token', 'Socket Mode connections can open');
  return fail(
    'slack: app token',
    `apps.connections.open failed: ${String(answer.error ?? 'unknown_error')}`,
    'SLACK_APP_TOKEN must be an app-level token (xapp-…) with the connections:write scope, and Socket Mode must be on',
  );
}

/** Slack: the bot token answers `auth.test`; the Socket Mode app token, when set, can open a connection. */
export async function checkSlackTokens(slack: SlackConfig, peer: PlatformPeer): Promise<DoctorCheck[]> {
  try {
    const checks: DoctorCheck[] = [];
    if (slack.botToken) checks.push(await checkSlackBotToken(slack, slack.botToken, peer));
    else
      checks.push(
        pass('slack: token', "multi-workspace install: each workspace's token is checked with its channels"),
      );
    if (slack.appToken) checks.push(await checkSlackAppToken(slack, slack.appToken, peer));
    return checks;
  } catch (error) {
    return [
      fail(
        'slack: token',
        `cannot reach ${slack.apiUrl}: ${describeError(error)}`,
        'check the network and SLACK_API_URL',
      ),
    ];
  }
}
