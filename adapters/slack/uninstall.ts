import type { App, InstallationStore } from '@slack/bolt';
import { z } from 'zod';
import type { Logger } from '../../src/logger.js';
import type { SubscriptionStore } from '../../src/subscriptions/subscription-store.js';

/** What forgetting a workspace touches. */
export interface UninstallDeps {
  subscriptions: SubscriptionStore;
  /** Multi-workspace mode only: the OAuth installations. */
  installations?: InstallationStore;
  logger: Logger;
}

/** The envelope fields that say which workspace (or org, for org-wide installs) the event is about. */
const envelope = z.object({
  team_id: z.string().min(1),
  enterprise_id: z.string().optional(),
});

const revoked = z.object({ tokens: z.object({ bot: z.array(z.string()).optional() }).optional() });

/** Whether a `tokens_revoked` event revokes the bot's token (revoking only user tokens leaves the bot working). */
export function revokesBotToken(event: unknown): boolean {
  return (revoked.safeParse(event).data?.tokens?.bot?.length ?? 0) > 0;
}

/** Removes every subscription and installation of the workspace; returns how many subscriptions went. */
export async function forgetWorkspace(
  teamId: string,
  enterpriseId: string | undefined,
  deps: UninstallDeps,
): Promise<number> {
  const removed = await deps.subscriptions.removeWorkspace('slack', teamId);
  await deps.installations?.deleteInstallation?.({ teamId, enterpriseId, isEnterpriseInstall: false });
  deps.logger.info(
    { team: teamId, subscriptions: removed },
    'Slack workspace removed the app; forgot its subscriptions',
  );
  return removed;
}

/**
 * `app_uninstalled` and `tokens_revoked` (bot tokens) mean we can no longer post in that workspace: drop its
 * installation and subscriptions. Bolt skips authorization for exactly these two events, so they arrive even
 * after the installation is gone, and acks them before listeners run.
 * https://docs.slack.dev/reference/events/app_uninstalled https://docs.slack.dev/reference/events/tokens_revoked
 */
export function registerUninstallEvents(app: App, deps: UninstallDeps): void {
  const handle = async (body: unknown, event: unknown, name: string): Promise<void> => {
    const parsed = envelope.safeParse(body);
    if (!parsed.success) {
      deps.logger.warn({ event: name }, 'Slack event without a team id; ignored');
      return;
    }
    // We request no user scopes, so Slack should only ever revoke bot tokens; stay precise anyway.
    if (name === 'tokens_revoked' && !revokesBotToken(event)) return;
    try {
      await forgetWorkspace(parsed.data.team_id, parsed.data.enterprise_id, deps);
    } catch (error) {
      deps.logger.error(
        { err: error, team: parsed.data.team_id, event: name },
        'could not forget the Slack workspace',
      );
    }
  };
  app.event('app_uninstalled', ({ body, event }) => handle(body, event, 'app_uninstalled'));
  app.event('tokens_revoked', ({ body, event }) => handle(body, event, 'tokens_revoked'));
}
