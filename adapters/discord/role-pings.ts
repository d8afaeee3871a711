import type { RolePings } from '../../src/commands/types.js';
import type { Logger } from '../../src/logger.js';
import type { Subscription } from '../../src/subscriptions/subscription.js';
import type { DiscordClient } from './client.js';
import { channelPermissions, rolePingProblem, type Overwrite } from './permissions.js';

type Role = { id: string; name?: string; permissions: string; mentionable?: boolean };

/**
 * Whether the bot can ping each Discord subscription's role, for `subscriptions`: the role must exist and be
 * mentionable, unless the bot holds Mention Everyone in that channel (the server's roles, the bot's member
 * roles and the channel's overwrites, as `doctor` computes them). Discord otherwise posts the announcement
 * naming the role and pings no one. A server whose roles cannot be read gets no warning (logged).
 */
export class DiscordRolePings implements RolePings {
  private botId: Promise<string> | null = null;

  constructor(
    private readonly client: DiscordClient,
    private readonly logger?: Logger,
  ) {}

  async problems(subscriptions: readonly Subscription[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const withRole = subscriptions.filter((sub) => sub.platform === 'discord' && sub.options.mentionRoleId);
    for (const guildId of new Set(withRole.map((sub) => sub.workspaceId))) {
      try {
        const subs = withRole.filter((sub) => sub.workspaceId === guildId);
        for (const [channelId, problem] of await this.guildProblems(guildId, subs))
          found.set(channelId, problem);
      } catch (error) {
        this.logger?.warn(
          { err: error, guildId },
          'could not check whether the bot can ping subscribed roles',
        );
      }
    }
    return found;
  }

  private async guildProblems(guildId: string, subs: Subscription[]): Promise<Map<string, string>> {
    this.botId ??= this.client.call('currentUser', {}).then((me) => (me as { id: string }).id);
    const botId = await this.botId.catch((error: unknown) => {
      this.botId = null;
      throw error;
    });
    const [roles, member] = (await Promise.all([
      this.client.call('listGuildRoles', { guildId }),
      this.client.call('getGuildMember', { guildId, userId: botId }),
    ])) as [Role[], { roles?: string[] }];
    const found = new Map<string, string>();
    for (const sub of subs) {
      const channel = (await this.client.call('getChannel', { channelId: sub.channelId })) as {
        permission_overwrites?: Overwrite[];
      };
      const held = channelPermissions(
        guildId,
        roles,
        { id: botId, roles: member.roles ?? [] },
        channel.permission_overwrites ?? [],
      );
      const problem = rolePingProblem(sub.options.mentionRoleId, roles, held);
      if (problem) found.set(sub.channelId, problem);
    }
    return found;
  }
}
