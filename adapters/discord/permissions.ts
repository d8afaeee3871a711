/** Permission bits: https://discord.com/developers/docs/topics/permissions#permissions-bitwise-permission-flags */
export const DISCORD_PERMISSIONS = {
  administrator: 1n << 3n,
  viewChannel: 1n << 10n,
  sendMessages: 1n << 11n,
  manageMessages: 1n << 13n,
  embedLinks: 1n << 14n,
  readMessageHistory: 1n << 16n,
  mentionEveryone: 1n << 17n,
  manageWebhooks: 1n << 29n,
  createPublicThreads: 1n << 35n,
  sendMessagesInThreads: 1n << 38n,
} as const;

/** Each permission as Discord's settings name it. */
export const PERMISSION_NAMES: Record<keyof typeof DISCORD_PERMISSIONS, string> = {
  administrator: 'Administrator',
  viewChannel: 'View Channel',
  sendMessages: 'Send Messages',
  manageMessages: 'Manage Messages',
  embedLinks: 'Embed Links',
  readMessageHistory: 'Read Message History',
  mentionEveryone: 'Mention @everyone, @here and All Roles',
  manageWebhooks: 'Manage Webhooks',
  createPublicThreads: 'Create Public Threads',
  sendMessagesInThreads: 'Send Messages in Threads',
};

/** A channel's permission overwrite, as Discord sends it. */
export interface Overwrite {
  id: string;
  type: number;
  allow: string;
  deny: string;
}

/**
 * The bot's permissions in a channel, as Discord computes them: the @everyone role (id = guild id) and the
 * member's roles, Administrator grants all, then the channel's overwrites (@everyone, roles, the member).
 * https://discord.com/developers/docs/topics/permissions#permission-overwrites
 */
export function channelPermissions(
  guildId: string,
  roles: { id: string; permissions: string }[],
  member: { id: string; roles: string[] },
  overwrites: Overwrite[],
): bigint {
  const held = new Set([guildId, ...member.roles]);
  let base = 0n;
  for (const role of roles) if (held.has(role.id)) base |= BigInt(role.permissions);
  if (base & DISCORD_PERMISSIONS.administrator) return ~0n;
  const apply = (value: bigint, overwrite: Overwrite | undefined) =>
    overwrite ? (value & ~BigInt(overwrite.deny)) | BigInt(overwrite.allow) : value;
  let permissions = apply(
    base,
    overwrites.find((o) => o.id === guildId),
  );
  let deny = 0n;
  let allow = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && o.id !== guildId && member.roles.includes(o.id)) {
      deny |= BigInt(o.deny);
      allow |= BigInt(o.allow);
    }
  }
  permissions = (permissions & ~deny) | allow;
  return apply(
    permissions,
    overwrites.find((o) => o.type === 1 && o.id === member.id),
  );
}

/**
 * Why the bot cannot ping the role a subscription mentions, or null when it can: the role must still exist, and
 * be mentionable unless the bot holds Mention Everyone in the channel. Otherwise Discord posts the announcement
 * with the role's name but pings no one.
 * https://discord.com/developers/docs/topics/permissions#role-object
 */
export function rolePingProblem(
  roleId: string | undefined,
  roles: readonly { id: string; name?: string; mentionable?: boolean }[],
  held: bigint,
): string | null {
  if (!roleId) return null;
  const role = roles.find((candidate) => candidate.id === roleId);
  if (!role) return `its role ${roleId} no longer exists`;
  if (role.mentionable || (held & DISCORD_PERMISSIONS.mentionEveryone) !== 0n) return null;
  return `the bot cannot ping its role @${String(role.name ?? roleId).slice(0, 100)}: not mentionable, and the bot lacks ${PERMISSION_NAMES.mentionEveryone} there`;
}

/** What to do when `rolePingProblem` found one. */
export const ROLE_PING_FIX =
  'make the role mentionable (Server Settings → Roles), or grant the bot Mention @everyone, @here and All Roles in that channel, or pick another role with `/psf subscribe role:`';
