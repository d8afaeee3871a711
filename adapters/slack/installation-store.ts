import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { RedisClient } from '../../src/store/redis-client.js';
import { z } from 'zod';
import { DeliveryError } from '../../src/delivery/announcer.js';
import { AtRestCipher, AtRestError } from '../../src/secrets/at-rest.js';
import type { SlackTokenSource } from './tokens.js';

/** What we need of a stored installation to use it; the rest is kept as Slack's OAuth library wrote it. */
const storedInstallation = z.looseObject({
  bot: z.looseObject({ token: z.string().min(1) }).optional(),
});

/** The owner an installation names inside itself: its enterprise for org-wide installs, else its team. */
const installationOwner = z
  .looseObject({
    isEnterpriseInstall: z.boolean().optional(),
    team: z.looseObject({ id: z.string() }).nullish(),
    enterprise: z.looseObject({ id: z.string() }).nullish(),
  })
  .transform((value) =>
    value.isEnterpriseInstall ? `enterprise:${value.enterprise?.id}` : `team:${value.team?.id}`,
  );

/** Where one installation lives: its Redis key, and its owner (`team:<id>` or `enterprise:<id>`), the sealing's associated data. */
interface Slot {
  key: string;
  owner: string;
}

/** Replaces a value only if it is still the one that was read (compare and set). */
const RESEAL = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2]) end return nil`;

/** Thrown by `fetchInstallation` when a workspace has no installation (Bolt then answers nothing). */
export class SlackNotInstalledError extends Error {
  override readonly name = 'SlackNotInstalledError';
}

/**
 * OAuth installations in Redis, one JSON value per workspace under `${prefix}:slack:install:team:<id>`,
 * or per organisation under `${prefix}:slack:install:enterprise:<id>` for org-wide (Enterprise Grid)
 * installs, which Slack's docs say must be keyed by enterprise id.
 * https://docs.slack.dev/tools/bolt-js/concepts/authenticating-oauth
 * Values hold bot and refresh tokens: with ENCRYPTION_KEY they are sealed (AES-256-GCM, `src/secrets`) and bound
 * to their owner, and a value found in clear text, unbound or under a retired key is sealed again when it is read.
 */
export class RedisInstallationStore implements InstallationStore, SlackTokenSource {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly cipher: AtRestCipher = new AtRestCipher(null),
  ) {}

  /**
   * The stored JSON text of a slot, opened as its owner's, and sealed again in place when it was clear, under an
   * old key or not yet bound to its owner. A value that does not prove its owner (clear or v1) is used only when
   * the owner written inside it is the slot's: one copied under another workspace's key is refused.
   */
  private async read({ key, owner }: Slot): Promise<string | null> {
    const stored = await this.redis.get(key);
    if (stored === null) return null;
    const opened = this.cipher.open(stored, owner);
    if (!opened.bound) {
      const named = installationOwner.safeParse(JSON.parse(opened.text));
      if (!named.success || named.data !== owner)
        throw new AtRestError(`the installation stored as ${owner}'s names another owner: not used`);
    }
    if (opened.stale && this.cipher.enabled) {
      // Only if the value is still the one read: a concurrent reinstall must not be overwritten.
      await this.redis.eval(RESEAL, 1, key, stored, this.cipher.seal(opened.text, owner));
    }
    return opened.text;
  }

  private slot(query: InstallationQuery<boolean>): Slot {
    const owner =
      query.isEnterpriseInstall && query.enterpriseId
        ? `enterprise:${query.enterpriseId}`
        : query.teamId
          ? `team:${query.teamId}`
          : null;
    if (owner) return { key: `${this.prefix}:slack:install:${owner}`, owner };
    throw new SlackNotInstalledError(
      'an installation query needs a team id or, for org-wide installs, an enterprise id',
    );
  }

  /** Stores (or replaces) the installation Bolt's OAuth flow completed. */
  async storeInstallation<AuthVersion extends 'v1' | 'v2'>(
    installation: Installation<AuthVersion, boolean>,
  ): Promise<void> {
    const { key, owner } = this.slot({
      isEnterpriseInstall: installation.isEnterpriseInstall ?? false,
      teamId: installation.team?.id,
      enterpriseId: installation.enterprise?.id,
    });
    await this.redis.set(key, this.cipher.seal(JSON.stringify(installation), owner));
  }

  /** The installation for an incoming request; throws when the workspace has none. */
  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v1' | 'v2', boolean>> {
    const text = await this.read(this.slot(query));
    if (text === null)
      throw new SlackNotInstalledError(`no Slack installation for ${query.teamId ?? query.enterpriseId}`);
    const json: unknown = JSON.parse(text);
    storedInstallation.parse(json);
    return json as Installation<'v1' | 'v2', boolean>;
  }

  /** Forgets the installation (uninstall, revoked tokens). */
  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.redis.del(this.slot(query).key);
  }

  /** The bot token of a workspace, for announcements (subscriptions are keyed by team id). */
  async botToken(teamId: string): Promise<string> {
    const text = await this.read(this.slot({ isEnterpriseInstall: false, teamId, enterpriseId: undefined }));
    const parsed = text === null ? null : storedInstallation.safeParse(JSON.parse(text));
    const token = parsed?.success ? parsed.data.bot?.token : undefined;
    if (!token)
      throw DeliveryError.permanent('not_installed', `the app is not installed in Slack workspace ${teamId}`);
    return token;
  }
}
