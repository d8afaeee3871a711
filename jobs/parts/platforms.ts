import type { Router } from 'express';
import { ConsoleAnnouncer } from '../../adapters/console/console-announcer.js';
import { DiscordAnnouncer } from '../../adapters/discord/announcer.js';
import { DiscordClient } from '../../adapters/discord/client.js';
import { DiscordRolePings } from '../../adapters/discord/role-pings.js';
import { DiscordChannelFollows } from '../../adapters/discord/follows.js';
import { DiscordGatewayBot } from '../../adapters/discord/gateway-bot.js';
import { createDiscordInteractionsRouter } from '../../adapters/discord/http-interactions.js';
import { DiscordInteractionHandler } from '../../adapters/discord/interaction-handler.js';
import { SlackAnnouncer } from '../../adapters/slack/announcer.js';
import { createSlackApp } from '../../adapters/slack/app.js';
import { RedisInstallationStore } from '../../adapters/slack/installation-store.js';
import { staticBotToken } from '../../adapters/slack/tokens.js';
import { homeContent } from '../../src/commands/home.js';
import type { CommandService } from '../../src/commands/types.js';
import type { Config } from '../../src/config.js';
import type { Announcer } from '../../src/delivery/announcer.js';
import { DISCORD_REQUEST_LIMITS, RedisRequestBudget } from '../../src/delivery/request-budget.js';
import type { Logger } from '../../src/logger.js';
import type { Platform } from '../../src/posts/post.js';
import { atRestCipher } from '../../src/secrets/at-rest.js';
import { disableRemovedServer } from '../../src/delivery/lost-access.js';
import { logCommands } from '../command-log.js';
import { instrumentCommands, type Metrics } from '../metrics.js';
import type { ReadinessCheck } from '../web/readiness.js';
import type { Stores } from '../stores.js';
import { platformStep } from './startup-errors.js';

/** The platforms this deployment serves: those configured, else the console. */
export function enabledPlatforms(config: Config): Platform[] {
  const platforms: Platform[] = [];
  if (config.discord) platforms.push('discord');
  if (config.slack) platforms.push('slack');
  return platforms.length > 0 ? platforms : ['console'];
}

/** Whether the bot can ping subscribed Discord roles, for `subscriptions` (through the Discord client layer). */
export function discordRolePings(discord: NonNullable<Config['discord']>, logger: Logger): DiscordRolePings {
  return new DiscordRolePings(
    new DiscordClient({ token: discord.token, apiUrl: discord.apiUrl, logger }),
    logger,
  );
}

/** Makes and ends channel follows of the hubs, for `follow` and `unfollow` (through the Discord client layer). */
export function discordChannelFollows(
  discord: NonNullable<Config['discord']>,
  stores: Pick<Stores, 'redis' | 'prefix'>,
  logger: Logger,
): DiscordChannelFollows {
  const budget = discordRequestBudget(discord, stores);
  return new DiscordChannelFollows(
    new DiscordClient({ token: discord.token, apiUrl: discord.apiUrl, budget, logger }),
    logger,
  );
}

/** One announcer per enabled platform, for the deliver workers. */
export function buildAnnouncers(
  config: Config,
  stores: Stores,
  logger: Logger,
): Partial<Record<Platform, Announcer>> {
  const announcers: Partial<Record<Platform, Announcer>> = {};
  if (config.discord) {
    announcers.discord = new DiscordAnnouncer({
      token: config.discord.token,
      apiUrl: config.discord.apiUrl,
      applicationId: config.discord.applicationId,
      budget: discordRequestBudget(config.discord, stores),
      logger,
    });
  }
  if (config.slack) {
    const tokens = config.slack.oauth
      ? installationStore(config, stores)
      : staticBotToken(config.slack.botToken ?? '');
    announcers.slack = new SlackAnnouncer({ apiUrl: config.slack.apiUrl, tokens, timeoutMs: 10_000 });
  }
  if (!config.discord && !config.slack) announcers.console = new ConsoleAnnouncer(process.stdout);
  return announcers;
}

/**
 * Discord's per-token request limit (`DISCORD_RATE_LIMIT` a second) and invalid-request budget, counted per
 * request in Redis by every worker process together.
 */
export function discordRequestBudget(
  discord: Pick<NonNullable<Config['discord']>, 'requestsPerSecond'>,
  stores: Pick<Stores, 'redis' | 'prefix'>,
): RedisRequestBudget {
  return new RedisRequestBudget(stores.redis, stores.prefix, 'discord', {
    ...DISCORD_REQUEST_LIMITS,
    perSecond: discord.requestsPerSecond,
  });
}

/** Slack installations in Redis, sealed with ENCRYPTION_KEY when it is set. */
function installationStore(config: Config, stores: Stores): RedisInstallationStore {
  return new RedisInstallationStore(stores.redis, stores.prefix, atRestCipher(config.encryption));
}

/** The start-up warning when Slack OAuth keeps bot and refresh tokens in Redis without ENCRYPTION_KEY. */
export const CLEAR_INSTALLATIONS_WARNING =
  'Slack OAuth is on without ENCRYPTION_KEY: installations (bot and refresh tokens) are stored in Redis in clear text; set ENCRYPTION_KEY (openssl rand -base64 32)';

/** Inbound command front-ends: what a `bot` or `web` process serves. */
export interface CommandFrontends {
  /** Routers for the one HTTP server (Slack HTTP mode, Discord HTTP interactions). */
  mounts: { path?: string; router: Router }[];
  readiness: Record<string, ReadinessCheck>;
  close(): Promise<void>;
}

/**
 * Starts what receives `/psf`: the Discord gateway and Slack Socket Mode in a `bot` process; the Slack and
 * Discord HTTP endpoints in a `web` process. The console has no inbound side (`psf-bot ask` is its front end).
 */
export async function startCommandFrontends(
  config: Config,
  parts: { gateway: boolean; http: boolean },
  core: CommandService,
  stores: Stores,
  metrics: Metrics,
  logger: Logger,
): Promise<CommandFrontends> {
  const frontends: CommandFrontends = { mounts: [], readiness: {}, close: async () => undefined };
  const closers: (() => Promise<void>)[] = [];
  const discord = config.discord;
  if (discord) {
    const handler = new DiscordInteractionHandler({
      commands: logCommands(instrumentCommands(core, metrics, 'discord'), logger, 'discord'),
      logger,
    });
    if (discord.mode === 'gateway' && parts.gateway) {
      const bot = new DiscordGatewayBot({
        token: discord.token,
        apiUrl: discord.apiUrl,
        handler,
        logger,
        onRemovedFromServer: (guildId) => disableRemovedServer(stores.subscriptions, guildId, logger),
      });
      // discord.js logs in with `GET /gateway/bot` (https://discord.com/developers/docs/events/gateway#get-gateway-bot).
      const gatewayBot = `${discord.apiUrl.replace(/\/+$/, '')}/v10/gateway/bot`;
      await platformStep('Discord', { method: 'GET', url: gatewayBot }, () => bot.start());
      closers.push(() => bot.stop());
      frontends.readiness.discord = () => bot.readiness();
    }
    if (discord.mode === 'http' && parts.http && discord.publicKey) {
      frontends.mounts.push({
        router: createDiscordInteractionsRouter({
          publicKey: discord.publicKey,
          apiUrl: discord.apiUrl,
          handler,
          logger,
        }),
      });
    }
  }
  const slack = config.slack;
  const socketMode = Boolean(slack?.appToken);
  if (slack && ((socketMode && parts.gateway) || (!socketMode && parts.http))) {
    const slackMethod = (method: string) => ({
      method: 'POST',
      url: `${slack.apiUrl.replace(/\/?$/, '/')}${method}`,
    });
    // Bolt checks the bot token with auth.test before it serves anything; Socket Mode then opens a connection.
    const bot = await platformStep('Slack', slackMethod('auth.test'), () =>
      createSlackApp({
        config: slack,
        commands: logCommands(instrumentCommands(core, metrics, 'slack'), logger, 'slack'),
        subscriptions: stores.subscriptions,
        home: (workspaceId, canManage) =>
          homeContent(
            { posts: stores.posts, subscriptions: stores.subscriptions, feeds: config.feeds },
            { platform: 'slack', workspaceId },
            canManage,
          ),
        ...(slack.oauth ? { installations: installationStore(config, stores) } : {}),
        logger,
      }),
    );
    if (bot.mode === 'socket') {
      await platformStep('Slack', slackMethod('apps.connections.open'), () => bot.app.start());
      closers.push(async () => void (await bot.app.stop()));
    }
    if (bot.router) frontends.mounts.push({ router: bot.router });
    frontends.readiness.slack = async () => true;
  }
  frontends.close = async () => {
    await Promise.allSettled(closers.map((close) => close()));
  };
  return frontends;
}
