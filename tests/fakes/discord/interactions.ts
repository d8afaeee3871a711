import { FAKE_APPLICATION_ID } from './fake-discord.js';

/** Permission bits used by tests: https://discord.com/developers/docs/topics/permissions */
export const PERMISSIONS = {
  none: '0',
  sendMessages: String(1n << 11n),
  manageChannels: String(1n << 4n),
  manageGuild: String(1n << 5n),
  administrator: String(1n << 3n),
  mentionEveryone: String(1n << 17n),
} as const;

export const GUILD_ID = '700000000000000001';
export const CHANNEL_ID = '700000000000000010';
export const USER_ID = '700000000000000100';

/** A leaf option as Discord sends it (`type`: 3 string, 4 integer, 5 boolean, 7 channel, 8 role). */
export interface LeafOption {
  name: string;
  type: 3 | 4 | 5 | 7 | 8;
  value: string | number | boolean;
  focused?: boolean;
}

export interface InteractionSpec {
  /** 2 slash command, 4 autocomplete. */
  type?: 2 | 4;
  subcommand: string;
  options?: LeafOption[];
  permissions?: string;
  id?: string;
  token?: string;
  guildId?: string;
  channelId?: string;
  /**
   * Channels named by channel options, as Discord resolves them: type, and the invoking member's
   * permissions there (overwrites applied).
   */
  resolvedChannels?: Record<string, { type: number; permissions: string; name?: string }>;
  /**
   * Where the command is typed (interaction context): 0 a server (the default), 1 the bot's DM, 2 a group DM or
   * another user's DM. Outside a server Discord sends no `guild_id` and no `member`, only `user`.
   */
  context?: 0 | 1 | 2;
  /** Who installed the app: the server (the default) or only the person typing (a user install). */
  install?: 'guild' | 'user';
  /** Roles named by role options, as Discord resolves them (a role object; `mentionable` is what matters). */
  resolvedRoles?: Record<string, { mentionable: boolean; name?: string }>;
}

/** A role object as Discord sends it in `resolved.roles`. */
function roleObject(id: string, role: { mentionable: boolean; name?: string }): Record<string, unknown> {
  return {
    id,
    name: role.name ?? 'news',
    color: 0,
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: 1,
    permissions: '0',
    managed: false,
    mentionable: role.mentionable,
    flags: 0,
  };
}

/** `data.resolved` for the channels and roles named by options; absent when none are. */
function resolvedData(spec: InteractionSpec): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  if (spec.resolvedChannels)
    resolved.channels = Object.fromEntries(
      Object.entries(spec.resolvedChannels).map(([id, channel]) => [
        id,
        { id, name: channel.name ?? 'named', type: channel.type, permissions: channel.permissions },
      ]),
    );
  if (spec.resolvedRoles)
    resolved.roles = Object.fromEntries(
      Object.entries(spec.resolvedRoles).map(([id, role]) => [id, roleObject(id, role)]),
    );
  return Object.keys(resolved).length > 0 ? { resolved } : {};
}

let counter = 0;

/**
 * The `d` of an INTERACTION_CREATE (or the body of an HTTP interaction) with every field discord.js 14.28
 * dereferences (PLATFORM-NOTES §2.3): `channel` as an object, `entitlements`, `authorizing_integration_owners`.
 */
export function psfInteraction(spec: InteractionSpec): Record<string, unknown> {
  const context = spec.context ?? 0;
  const interaction = inServer(spec);
  if (context === 0 && spec.install !== 'user') return interaction;
  // https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-authorizing-integration-owners-object
  const owners = spec.install === 'user' ? { '1': USER_ID } : { '0': GUILD_ID, '1': USER_ID };
  if (context === 0) return { ...interaction, authorizing_integration_owners: owners, app_permissions: '0' };
  const { guild_id: _guild, member, guild_locale: _locale, ...rest } = interaction;
  const channelId = spec.channelId ?? CHANNEL_ID;
  return {
    ...rest,
    user: (member as { user: unknown }).user,
    context,
    // Outside a server only a user install can be invoked; the guild key is absent.
    authorizing_integration_owners: { '1': USER_ID },
    channel:
      context === 1
        ? { id: channelId, type: 1, recipients: [(member as { user: unknown }).user], flags: 0 }
        : { id: channelId, type: 3, name: null, recipients: [], flags: 0, owner_id: USER_ID, icon: null },
  };
}

function inServer(spec: InteractionSpec): Record<string, unknown> {
  counter += 1;
  const guildId = spec.guildId ?? GUILD_ID;
  const channelId = spec.channelId ?? CHANNEL_ID;
  const user = { id: USER_ID, username: 'tester', discriminator: '0', global_name: 'Tester', avatar: null };
  return {
    id: spec.id ?? String(800_000_000_000_000_000n + BigInt(counter)),
    application_id: FAKE_APPLICATION_ID,
    type: spec.type ?? 2,
    token: spec.token ?? `interaction-token-${counter}`,
    version: 1,
    locale: 'en-US',
    guild_locale: 'en-US',
    app_permissions: PERMISSIONS.sendMessages,
    guild_id: guildId,
    channel_id: channelId,
    channel: {
      id: channelId,
      type: 0,
      guild_id: guildId,
      name: 'general',
      position: 0,
      permission_overwrites: [],
      nsfw: false,
      parent_id: null,
    },
    member: {
      user,
      roles: [],
      joined_at: '2024-01-01T00:00:00.000Z',
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      nick: null,
      avatar: null,
      permissions: spec.permissions ?? PERMISSIONS.sendMessages,
    },
    entitlements: [],
    authorizing_integration_owners: { '0': guildId },
    context: 0,
    attachment_size_limit: 10_485_760,
    data: {
      id: '900000000000000050',
      name: 'psf',
      type: 1,
      options: [{ type: 1, name: spec.subcommand, options: spec.options ?? [] }],
      ...resolvedData(spec),
    },
  };
}
