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
  const label = `#${String(body.name ?? channel.channelId)}`;
  const discord = deps.config.discord!;
  const guildId = typeof body.guild_id === 'string' ? body.guild_id : null;
  const me = await discordGet(deps.peer, discord, 'currentUser', {});
  const botId = typeof me.body?.id === 'string' ? me.body.id : null;
  if (!guildId || !botId) return pass(name, `${label} is visible to the bot (permissions not checked)`);
  const [roles, member] = await Promise.all([
    discordGet(deps.peer, discord, 'listGuildRoles', { guildId }),
    discordGet(deps.peer, discord, 'getGuildMember', { guildId, userId: botId }),
  ]);
  if (roles.status !== 200 || member.status !== 200 || !Array.isArray(roles.body))
    return pass(
      name,
      `${label} is visible to the bot (its permissions could not be read: HTTP ${roles.status}/${member.status})`,
    );
  const held = channelPermissions(
    guildId,
    roles.body as unknown as { id: string; permissions: string }[],
    { id: botId, roles: Array.isArray(member.body?.roles) ? (member.body.roles as string[]) : [] },
    Array.isArray(body.permission_overwrites)
      ? (body.permission_overwrites as { id: string; type: number; allow: string; deny: string }[])
      : [],
  );
  const missing = missingPermissions(held, neededPermissions(channel.options));
  const ping = rolePingProblem(
    channel.options?.mentionRoleId,
    roles.body as unknown as { id: string; name?: string; mentionable?: boolean }[],
    held,
  );
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
