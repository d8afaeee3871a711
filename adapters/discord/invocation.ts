import { z } from 'zod';
import type { CommandContext } from '../../src/commands/types.js';
import { DISCORD_PERMISSIONS } from './permissions.js';

/** Option types that matter here: https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-option-type */
const SUB_COMMAND = 1;
const SUB_COMMAND_GROUP = 2;

/** Permission bits that let a member manage a channel's subscriptions (DESIGN §5). */
export const MANAGE_PERMISSIONS = {
  administrator: 1n << 3n,
  manageChannels: 1n << 4n,
  manageGuild: 1n << 5n,
} as const;

/** A slash command or autocomplete request, whichever transport (gateway or HTTP) delivered it. */
export interface DiscordInvocation {
  kind: 'command' | 'autocomplete';
  id: string;
  token: string;
  applicationId: string;
  commandName: string;
  subcommand: string | null;
  /** Leaf options by name, as sent: autocomplete carries partial values and may lack required ones. */
  options: Record<string, string | number | boolean>;
  /** The option being typed in an autocomplete request. */
  focused: { name: string; value: string } | null;
  guildId: string | null;
  channelId: string;
  userId: string;
  /** The member's permissions in this channel, overwrites applied; null outside a server. */
  permissions: bigint | null;
  /**
   * Channels named in options (`data.resolved.channels`), with the invoking member's permissions there,
   * overwrites applied: https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-resolved-data-structure
   */
  resolvedChannels?: Record<string, { type: number; permissions: bigint | null }>;
  /** Roles named in options (`data.resolved.roles`): whether anyone may mention each. */
  resolvedRoles?: Record<string, { mentionable: boolean }>;
  /** The type of the channel the command was typed in (0 text, 5 announcement, 15 forum), when known. */
  channelType?: number;
  /**
   * Whether psf-bot is added to the server the command was typed in (`authorizing_integration_owners` has a
   * guild install, key "0"). False in a DM, and in a server where only the person added the app (a user
   * install): there the bot can neither read nor post, and knows nothing of the server.
   */
  guildInstalled: boolean;
}

/** Installation contexts: https://discord.com/developers/docs/resources/application#application-object-application-integration-types */
export const INTEGRATION_TYPE = { guild: 0, user: 1 } as const;

/** Interaction contexts: https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-interaction-context-types */
export const INTERACTION_CONTEXT = { guild: 0, botDm: 1, privateChannel: 2 } as const;

/** "Use External Apps": without it, a user-installed app's answers in a server are forced private. */
export const USE_EXTERNAL_APPS = 1n << 50n;

const owners = z.record(z.string(), z.string()).optional();

/**
 * Whether the server installed the app, from `authorizing_integration_owners`. An interaction without the field
 * (older API versions) comes from a server install whenever it names a guild.
 */
export function isGuildInstalled(guildId: string | null, authorizing: unknown): boolean {
  if (guildId === null) return false;
  const parsed = owners.safeParse(authorizing);
  if (!parsed.success || parsed.data === undefined) return true;
  return parsed.data[String(INTEGRATION_TYPE.guild)] === guildId;
}

/** Forum channel type: https://discord.com/developers/docs/resources/channel#channel-object-channel-types */
export const FORUM_CHANNEL = 15;

const leafOption = z.object({
  name: z.string(),
  type: z.number().int(),
  value: z.union([z.string(), z.number(), z.boolean()]).optional(),
  focused: z.boolean().optional(),
});

/** The options tree of an interaction: command → (group →) subcommand → leaf options. */
export const optionTree = leafOption.extend({
  options: z.array(leafOption.extend({ options: z.array(leafOption).optional() })).optional(),
});
export type OptionTree = z.infer<typeof optionTree>;

/** Finds the subcommand and flattens its options, from either raw JSON or discord.js's `options.data`. */
export function readOptions(
  top: readonly OptionTree[],
): Pick<DiscordInvocation, 'subcommand' | 'options' | 'focused'> {
  let subcommand: string | null = null;
  let leaves: readonly z.infer<typeof leafOption>[] = top;
  const group = top.find((option) => option.type === SUB_COMMAND_GROUP);
  const sub = (group?.options ?? top).find((option) => option.type === SUB_COMMAND);
  if (sub) {
    subcommand = group ? `${group.name} ${sub.name}` : sub.name;
    leaves = sub.options ?? [];
  }
  const options: Record<string, string | number | boolean> = {};
  let focused: DiscordInvocation['focused'] = null;
  for (const leaf of leaves) {
    if (leaf.value === undefined) continue;
    options[leaf.name] = leaf.value;
    if (leaf.focused) focused = { name: leaf.name, value: String(leaf.value) };
  }
  return { subcommand, options, focused };
}

/** Whether the member may manage this channel's subscriptions: Manage Channels, Manage Server or Administrator. */
export function canManage(permissions: bigint | null): boolean {
  if (permissions === null) return false;
  const { administrator, manageChannels, manageGuild } = MANAGE_PERMISSIONS;
  return (permissions & (administrator | manageChannels | manageGuild)) !== 0n;
}

/** Outside a server (a DM) there is no guild; Discord itself names that scope `@me`. */
export const DM_WORKSPACE = '@me';

/**
 * The core's view of who asked, and where: the channel named in the `channel` option (a forum cannot be typed
 * in, so it is named from elsewhere), else the one the command was typed in. Managing rights are those of
 * the member in that channel; a named channel Discord did not resolve grants none.
 */
export function commandContext(invocation: DiscordInvocation): CommandContext {
  const named = typeof invocation.options.channel === 'string' ? invocation.options.channel : null;
  const here = named === null || named === invocation.channelId;
  const permissions = here
    ? invocation.permissions
    : (invocation.resolvedChannels?.[named]?.permissions ?? null);
  const type = here ? invocation.channelType : invocation.resolvedChannels?.[named]?.type;
  // In a server that did not add the bot (a user install), the bot is as outside it as in a DM.
  const inServer = invocation.guildId !== null && invocation.guildInstalled;
  return {
    platform: 'discord',
    workspaceId: inServer ? invocation.guildId! : DM_WORKSPACE,
    channelId: named ?? invocation.channelId,
    userId: invocation.userId,
    canManage: inServer && canManage(permissions),
    // Outside a server that added the bot (a DM, a user install), replies show only what is public.
    ...(inServer ? {} : { direct: true }),
    mentionProblem: (role) => roleMentionProblem(invocation.resolvedRoles?.[role], permissions),
    ...(type === undefined ? {} : { forum: type === FORUM_CHANNEL }),
  };
}

/**
 * A role the member may have the bot ping in the channel being subscribed: a mentionable role, or any role when
 * they hold Mention Everyone (or Administrator) there. Otherwise a member with Manage Channels could make the bot
 * ping a role they cannot ping themselves, on every post.
 */
function roleMentionProblem(
  role: { mentionable: boolean } | undefined,
  permissions: bigint | null,
): string | null {
  if (!role) return 'I cannot see that role: pick it from the list Discord offers.';
  if (role.mentionable) return null;
  if (
    permissions !== null &&
    (permissions & (DISCORD_PERMISSIONS.mentionEveryone | MANAGE_PERMISSIONS.administrator)) !== 0n
  )
    return null;
  return (
    'That role is not mentionable, and you may not mention every role in that channel (Mention @everyone, @here ' +
    'and All Roles). Ask a server manager to allow anyone to mention it (Server Settings → Roles), or pick another.'
  );
}

const resolvedChannel = z.object({
  id: snowflakeText(),
  type: z.number().int(),
  permissions: z.string().regex(/^\d+$/).optional(),
});

/** `data.resolved.channels` of a raw interaction, permissions as bigints; empty when absent or malformed. */
export function readResolvedChannels(data: unknown): NonNullable<DiscordInvocation['resolvedChannels']> {
  const parsed = z
    .object({ resolved: z.object({ channels: z.record(z.string(), resolvedChannel) }) })
    .safeParse(data);
  if (!parsed.success) return {};
  return Object.fromEntries(
    Object.entries(parsed.data.resolved.channels).map(([id, channel]) => [
      id,
      {
        type: channel.type,
        permissions: channel.permissions === undefined ? null : BigInt(channel.permissions),
      },
    ]),
  );
}

const resolvedRole = z.object({ mentionable: z.boolean() });

/** `data.resolved.roles` of a raw interaction; empty when absent or malformed (then no role is accepted). */
export function readResolvedRoles(data: unknown): NonNullable<DiscordInvocation['resolvedRoles']> {
  const parsed = z
    .object({ resolved: z.object({ roles: z.record(snowflakeText(), resolvedRole) }) })
    .safeParse(data);
  if (!parsed.success) return {};
  return Object.fromEntries(
    Object.entries(parsed.data.resolved.roles).map(([id, role]) => [id, { mentionable: role.mentionable }]),
  );
}

function snowflakeText() {
  return z.string().regex(/^\d{1,20}$/);
}

const snowflake = z.string().regex(/^\d{1,20}$/);

/** The fields of an HTTP interaction we use; everything else Discord sends is ignored. */
export const interactionPayload = z.object({
  id: snowflake,
  application_id: snowflake,
  type: z.number().int(),
  token: z.string().min(1),
  guild_id: snowflake.optional(),
  channel_id: snowflake.optional(),
  channel: z.object({ id: snowflake, type: z.number().int().optional() }).optional(),
  member: z.object({ user: z.object({ id: snowflake }), permissions: z.string().regex(/^\d+$/) }).optional(),
  user: z.object({ id: snowflake }).optional(),
  authorizing_integration_owners: z.unknown().optional(),
  context: z.number().int().optional(),
  data: z
    .object({ name: z.string(), options: z.array(optionTree).optional(), resolved: z.unknown().optional() })
    .optional(),
});
export type InteractionPayload = z.infer<typeof interactionPayload>;

/** Interaction types: https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-interaction-type */
export const INTERACTION_TYPE = { ping: 1, command: 2, component: 3, autocomplete: 4, modal: 5 } as const;

/** Turns a verified HTTP interaction into an invocation; null when it is not a command or autocomplete. */
export function invocationFromPayload(payload: InteractionPayload): DiscordInvocation | null {
  const kind =
    payload.type === INTERACTION_TYPE.command
      ? 'command'
      : payload.type === INTERACTION_TYPE.autocomplete
        ? 'autocomplete'
        : null;
  const userId = payload.member?.user.id ?? payload.user?.id;
  const channelId = payload.channel?.id ?? payload.channel_id;
  if (!kind || !payload.data || !userId || !channelId) return null;
  return {
    kind,
    id: payload.id,
    token: payload.token,
    applicationId: payload.application_id,
    commandName: payload.data.name,
    ...readOptions(payload.data.options ?? []),
    guildId: payload.guild_id ?? null,
    channelId,
    userId,
    permissions: payload.member ? BigInt(payload.member.permissions) : null,
    guildInstalled: isGuildInstalled(payload.guild_id ?? null, payload.authorizing_integration_owners),
    resolvedChannels: readResolvedChannels(payload.data),
    resolvedRoles: readResolvedRoles(payload.data),
    ...(payload.channel?.type === undefined ? {} : { channelType: payload.channel.type }),
  };
}
