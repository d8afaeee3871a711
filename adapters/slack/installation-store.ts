import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { RedisClient } from '../../src/store/redis-client.js';
import { z } from 'zod';
import { DeliveryError } from '../../src/delivery/announcer.js';
import type { SlackTokenSource } from './tokens.js';

/** What we need of a stored installation to use it; the rest is kept as Slack's OAuth library wrote it. */
const storedInstallation = z.looseObject({
  bot: z.looseObject({ token: z.string().min(1) }).optional(),
});

/** Thrown by `fetchInstallation` when a workspace has no installation (Bolt then answers nothing). */
export class SlackNotInstalledError extends Error {
  override readonly name = 'SlackNotInstalledError';
}

/**
 * OAuth installations in Redis, one JSON value per workspace under `${prefix}:slack:install:team:<id>`,
 * or per organisation under `${prefix}:slack:install:enterprise:<id>` for org-wide (Enterprise Grid)
 * installs, which Slack's docs say must be keyed by enterprise id.
 * https://docs.slack.dev/tools/bolt-js/concepts/authenticating-oauth
 */
export class RedisInstallationStore implements InstallationStore, SlackTokenSource {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(query: InstallationQuery<boolean>): string {
    if (query.isEnterpriseInstall && query.enterpriseId)
      return `${this.prefix}:slack:install:enterprise:${query.enterpriseId}`;
    if (query.teamId) return `${this.prefix}:slack:install:team:${query.teamId}`;
    throw new SlackNotInstalledError(
      'an installation query needs a team id or, for org-wide installs, an enterprise id',
    );
  }

  /** Stores (or replaces) the installation Bolt's OAuth flow completed. */
  async storeInstallation<AuthVersion extends 'v1' | 'v2'>(
    installation: Installation<AuthVersion, boolean>,
  ): Promise<void> {
    const key = this.key({
      isEnterpriseInstall: installation.isEnterpriseInstall ?? false,
      teamId: installation.team?.id,
      enterpriseId: installation.enterprise?.id,
    });
    await this.redis.set(key, JSON.stringify(installation));
  }

  /** The installation for an incoming request; throws when the workspace has none. */
  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v1' | 'v2', boolean>> {
    const text = await this.redis.get(this.key(query));
    if (text === null)
      throw new SlackNotInstalledError(`no Slack installation for ${query.teamId ?? query.enterpriseId}`);
    const json: unknown = JSON.parse(text);
    storedInstallation.parse(json);
    return json as Installation<'v1' | 'v2', boolean>;
  }

  /** Forgets the installation (uninstall, revoked tokens). */
  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.redis.del(this.key(query));
  }

  /** The bot token of a workspace, for announcements (subscriptions are keyed by team id). */
  async botToken(teamId: string): Promise<string> {
    const text = await this.redis.get(
      this.key({ isEnterpriseInstall: false, teamId, enterpriseId: undefined }),
    );
    const parsed = text === null ? null : storedInstallation.safeParse(JSON.parse(text));
    const token = parsed?.success ? parsed.data.bot?.token : undefined;
    if (!token)
      throw DeliveryError.permanent('not_installed', `the app is not installed in Slack workspace ${teamId}`);
    return token;
  }
}
