import type { Subscription } from '../subscriptions/subscription.js';
import type { CommandDeps } from './command-deps.js';
import type { CommandContext } from './types.js';

/** A mention must be what this platform can ping: a Discord role id, or a Slack user group id (`S…`). */
export function checkMention(mention: string | null | undefined, context: CommandContext): string | null {
  if (mention === undefined || mention === null) return null;
  if (mention.startsWith('@'))
    return `I cannot look up ${mention.slice(0, 80)} here: give the user group's id (S…), as Slack writes it.`;
  if (context.platform === 'discord' && !/^\d{17,20}$/.test(mention)) return 'That is not a Discord role.';
  if (context.platform === 'slack' && !/^S[A-Z0-9]{2,20}$/.test(mention))
    return 'That is not a Slack user group.';
  return null;
}

/** The Discord roles `describe` writes as `<@&id>`, so the adapter shows them as role mentions (never pings). */
export function roleMentions(subs: readonly Subscription[]): { roles?: string[] } {
  const roles = subs.flatMap((sub) =>
    sub.platform === 'discord' && sub.options.mentionRoleId ? [sub.options.mentionRoleId] : [],
  );
  return roles.length > 0 ? { roles: [...new Set(roles)] } : {};
}

/** Why the bot cannot ping each subscription's role, by channel; none when that cannot be learnt. */
export async function rolePingProblems(
  deps: CommandDeps,
  subs: readonly Subscription[],
): Promise<Map<string, string>> {
  if (!deps.rolePings || !subs.some((sub) => sub.options.mentionRoleId)) return new Map();
  return deps.rolePings.problems(subs).catch((error: unknown) => {
    deps.logger?.warn({ err: error }, 'could not check whether the bot can ping subscribed roles');
    return new Map<string, string>();
  });
}
