import type { Config } from '../../src/config.js';
import type { SubscriptionOptions } from '../../src/subscriptions/subscription.js';
import {
  channelPermissions,
  missingPermissions,
  neededPermissions,
  ROLE_PING_FIX,
  rolePingProblem,
} from './discord-permissions.js';
import { discordGet, type PlatformPeer } from './http.js';
import { fail, pass, warn, type DoctorCheck } from './report.js';

/**
 * A visible Discord channel: does the bot hold what the subscription needs there (View Channel, Send
 * Messages, Embed Links, Read Message History; threads and forum posts: Create Public Threads and Send
 * Messages in Threads; crossposting: Manage Messages)? Computed from the server's roles, the bot's member
 * roles and the channel's overwrites; and can it ping the subscription's role? When those cannot be read, the
 * channel passes with a note.
 */
export async function checkDiscordPermissions(
  channel: { channelId: string; options?: SubscriptionOptions },
  deps: { config: Pick<Config, 'discord'>; peer: PlatformPeer },
  name: string,
  body: Record<string, unknown>,
): Promise<DoctorCheck> {
  const read = await botPermissionsIn(channel.channelId, body, deps);
  if ('unread' in read) return pass(name, read.unread);
  const { label, held, roles } = read;
  const missing = missingPermissions(held, neededPermissions(channel.options));
  const ping = rolePingProblem(channel.options?.mentionRoleId, roles, held);
  if (missing.length === 0 && ping)
    return warn(
      name,
      `${label}: the bot has every permission its subscription needs, but ${ping}`,
      ROLE_PING_FIX,
    );
  if (missing.length === 0)
    return pass(name, `${label}: the bot has every permission its subscription needs`);
  return fail(
    name,
    `${label}: the bot lacks ${missing.join(', ')}`,
    `grant ${missing.join(', ')} to the bot there (channel settings → Permissions), or re-invite it with the README's URL`,
  );
}

/** A server role as `GET /guilds/{id}/roles` lists it. */
type GuildRole = { id: string; permissions: string; name?: string; mentionable?: boolean };

/**
 * The bot's permissions in a visible channel (`body`: Discord's answer to `GET /channels/{id}`), computed from
 * the server's roles, the bot's member roles and the channel's overwrites; or, when those cannot be read, the
 * line a passing check says instead.
 */
export async function botPermissionsIn(
  channelId: string,
  body: Record<string, unknown>,
  deps: { config: Pick<Config, 'discord'>; peer: PlatformPeer },
): Promise<{ label: string; held: bigint; roles: GuildRole[] } | { unread: string }> {
  const label = `#${String(body.name ?? channelId)}`;
  const discord = deps.config.discord!;
  const guildId = typeof body.guild_id === 'string' ? body.guild_id : null;
  const me = await discordGet(deps.peer, discord, 'currentUser', {});
  const botId = typeof me.body?.id === 'string' ? me.body.id : null;
  if (!guildId || !botId) return { unread: `${label} is visible to the bot (permissions not checked)` };
  const [roles, member] = await Promise.all([
    discordGet(deps.peer, discord, 'listGuildRoles', { guildId }),
    discordGet(deps.peer, discord, 'getGuildMember', { guildId, userId: botId }),
  ]);
  if (roles.status !== 200 || member.status !== 200 || !Array.isArray(roles.body))
    return {
      unread: `${label} is visible to the bot (its permissions could not be read: HTTP ${roles.status}/${member.status})`,
    };
  const listed = roles.body as unknown as GuildRole[];
  const held = channelPermissions(
    guildId,
    listed,
    { id: botId, roles: Array.isArray(member.body?.roles) ? (member.body.roles as string[]) : [] },
    Array.isArray(body.permission_overwrites)
      ? (body.permission_overwrites as { id: string; type: number; allow: string; deny: string }[])
      : [],
  );
  return { label, held, roles: listed };
}
