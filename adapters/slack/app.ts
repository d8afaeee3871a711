import { App, ExpressReceiver, type InstallationStore, type webApi } from '@slack/bolt';
import type { Router } from 'express';
import type { CommandService } from '../../src/commands/types.js';
import type { Config } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import type { SubscriptionStore } from '../../src/subscriptions/subscription-store.js';
import { queueOwnedClientOptions } from './client.js';
import { boltLogger } from './bolt-logger.js';
import { registerPsfCommand } from './command.js';
import { registerAppHome, type AppHomeDeps } from './home.js';
import { SLACK_BOT_SCOPES } from './scopes.js';
import { registerUninstallEvents } from './uninstall.js';

/** Bot scopes the OAuth install asks for: the one list (`scopes.ts`), which `manifest.yml` is written from. */
export { SLACK_BOT_SCOPES } from './scopes.js';

/** What the Slack side of the bot is built from. */
export interface SlackAppDeps {
  config: NonNullable<Config['slack']>;
  commands: CommandService;
  subscriptions: SubscriptionStore;
  /** Required when `config.oauth` is set: where installations live (a `RedisInstallationStore`). */
  installations?: InstallationStore;
  logger: Logger;
  /** Time limit of each Web API call made while answering a command; 5 s by default. */
  apiTimeoutMs?: number;
  /** The Home tab's content; without it the app publishes no Home tab. */
  home?: AppHomeDeps['home'];
}

/** The Bolt app and how it receives requests. */
export interface SlackBot {
  app: App;
  mode: 'http' | 'socket';
  /**
   * HTTP mode: `POST /slack/events` (and with OAuth `GET /slack/install`, `/slack/oauth_redirect`), to mount
   * on the one HTTP server. It reads and verifies the raw body itself, so mount it before any body parser.
   */
  router: Router | null;
}

/** The Slack configuration cannot work as given. */
export class SlackSetupError extends Error {
  override readonly name = 'SlackSetupError';
}

function httpReceiver(deps: SlackAppDeps, logger: ReturnType<typeof boltLogger>): ExpressReceiver {
  const { config } = deps;
  const oauth = config.oauth;
  if (oauth && !deps.installations) throw new SlackSetupError('Slack OAuth needs an installation store');
  return new ExpressReceiver({
    signingSecret: config.signingSecret,
    logger,
    // ack() answers the HTTP request at once; true would hold it until the listener finished (FaaS only).
    processBeforeResponse: false,
    // Bolt buffers the body before it can check the signature; Slack's payloads are far below 1 MB.
    bodyLimit: 1024 * 1024,
    ...(oauth && deps.installations
      ? {
          clientId: oauth.clientId,
          clientSecret: oauth.clientSecret,
          stateSecret: oauth.stateSecret,
          scopes: [...SLACK_BOT_SCOPES],
          installationStore: deps.installations,
          installerOptions: {
            directInstall: true,
            clientOptions: { slackApiUrl: config.apiUrl, timeout: 10_000 },
          },
        }
      : {}),
  });
}

function socketModeApp(
  deps: SlackAppDeps,
  appToken: string,
  logger: ReturnType<typeof boltLogger>,
  clientOptions: webApi.WebClientOptions,
): App {
  const { config } = deps;
  if (config.oauth) {
    throw new SlackSetupError(
      'Socket Mode (SLACK_APP_TOKEN) serves one workspace: unset SLACK_APP_TOKEN for multi-workspace OAuth over HTTP, or unset SLACK_CLIENT_*',
    );
  }
  if (!config.botToken)
    throw new SlackSetupError('Socket Mode needs SLACK_BOT_TOKEN as well as SLACK_APP_TOKEN');
  return new App({
    token: config.botToken,
    appToken,
    socketMode: true,
    logger,
    clientOptions,
    // The socket client keeps its own retry policy for apps.connections.open (reconnects), so only the URL is shared.
    installerOptions: { clientOptions: { slackApiUrl: config.apiUrl } },
    deferInitialization: true,
  });
}

/**
 * Builds the Bolt app: HTTP mode with an ExpressReceiver (single bot token, or multi-workspace OAuth with
 * installations in Redis), or Socket Mode when `SLACK_APP_TOKEN` is set. Registers `/psf` and the uninstall
 * events, and checks the bot token with `auth.test` before returning (Bolt would otherwise run it unawaited).
 */
export async function createSlackApp(deps: SlackAppDeps): Promise<SlackBot> {
  const logger = boltLogger(deps.logger);
  const clientOptions = queueOwnedClientOptions(deps.config.apiUrl, deps.apiTimeoutMs ?? 5_000);
  let app: App;
  let router: Router | null = null;
  const { appToken, botToken, oauth } = deps.config;
  if (appToken) {
    app = socketModeApp(deps, appToken, logger, clientOptions);
  } else {
    if (!oauth && !botToken)
      throw new SlackSetupError('Slack needs SLACK_BOT_TOKEN, or the SLACK_CLIENT_* trio for OAuth');
    if (oauth && botToken) {
      deps.logger.warn(
        'SLACK_BOT_TOKEN is ignored in multi-workspace mode: tokens come from each installation',
      );
    }
    const receiver = httpReceiver(deps, logger);
    const token = !oauth && botToken ? { token: botToken } : {};
    app = new App({ receiver, logger, clientOptions, deferInitialization: true, ...token });
    router = receiver.router;
  }
  await app.init();
  registerPsfCommand(app, {
    commands: deps.commands,
    adminUsers: deps.config.adminUsers,
    logger: deps.logger,
  });
  registerUninstallEvents(app, {
    subscriptions: deps.subscriptions,
    logger: deps.logger,
    ...(deps.installations ? { installations: deps.installations } : {}),
  });
  if (deps.home)
    registerAppHome(app, { home: deps.home, adminUsers: deps.config.adminUsers, logger: deps.logger });
  // The "Read the post" button only opens its URL; if interactivity is switched on anyway, ack its clicks.
  app.action('read_post', async ({ ack }) => ack());
  app.error(async (error) => {
    deps.logger.error({ err: error }, 'Slack listener failed');
  });
  return { app, mode: appToken ? 'socket' : 'http', router };
}
