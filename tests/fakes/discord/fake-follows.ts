/**
 * Discord's Channel Follow as the fake models it (PLATFORM-NOTES §9.4):
 * `POST /channels/{hub}/followers` with `{ webhook_channel_id }` makes a webhook in the target channel and
 * records the follow; `DELETE /webhooks/{id}` deletes the webhook, which ends the follow.
 * https://discord.com/developers/docs/resources/channel#follow-announcement-channel
 * https://discord.com/developers/docs/resources/webhook#delete-webhook
 * Refusals, with Discord's JSON codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes):
 * 10003 Unknown Channel, 50001 Missing Access (the target's server removed the bot), 50024 Cannot execute action on this channel type (the hub is not an announcement
 * channel, or the target is not a text or announcement channel), 50013 Missing Permissions (the bot lacks
 * Manage Webhooks in the target channel), 30007 Maximum number of webhooks reached (15 per channel), 10015
 * Unknown Webhook.
 */
import { BOT_USER, error, ok, type CuedResponse } from './wire.js';

/** Permission bits, written here independently of the adapter: https://discord.com/developers/docs/topics/permissions */
const ADMINISTRATOR = 1n << 3n;
export const MANAGE_WEBHOOKS = 1n << 29n;
/** Discord's limit of webhooks per channel. */
export const MAX_WEBHOOKS_PER_CHANNEL = 15;

const TEXT = 0;
const ANNOUNCEMENT = 5;

/** A channel permission overwrite as Discord sends it (type 0 role, 1 member). */
export interface FakeOverwrite {
  id: string;
  type: 0 | 1;
  allow: string;
  deny: string;
}

/** What the follows share with the rest of the fake REST. */
export interface FollowWorld {
  channelTypes: Map<string, number>;
  followers: Map<string, Map<string, { webhookId: string; guildId?: string }>>;
  guildRoles: Map<string, { roles: { id: string; permissions: string }[]; botRoles: string[] }>;
  overwrites: Map<string, FakeOverwrite[]>;
  guildOf(channelId: string): string | undefined;
  /** Whether the server removed the bot: its channels answer 403 50001. */
  removed(guildId: string): boolean;
  snowflake(): string;
}

export class FakeFollows {
  /** Every webhook a follow made, by id: where it is and which hub it follows. */
  readonly webhooks = new Map<string, { channelId: string; hubId: string }>();

  constructor(private readonly world: FollowWorld) {}

  /** `POST /channels/{hub}/followers`. */
  follow(hubId: string, body: Record<string, unknown>): CuedResponse {
    const targetId = String(body.webhook_channel_id ?? '');
    const hubType = this.world.channelTypes.get(hubId);
    const targetType = this.world.channelTypes.get(targetId);
    if (hubType === undefined || targetType === undefined) return error(404, 10003, 'Unknown Channel');
    const targetGuild = this.world.guildOf(targetId);
    if (targetGuild !== undefined && this.world.removed(targetGuild))
      return error(403, 50001, 'Missing Access');
    if (hubType !== ANNOUNCEMENT || (targetType !== TEXT && targetType !== ANNOUNCEMENT))
      return error(400, 50024, 'Cannot execute action on this channel type');
    if (!this.botMay(targetId, MANAGE_WEBHOOKS)) return error(403, 50013, 'Missing Permissions');
    const inChannel = [...this.webhooks.values()].filter((hook) => hook.channelId === targetId).length;
    if (inChannel >= MAX_WEBHOOKS_PER_CHANNEL)
      return error(400, 30007, `Maximum number of webhooks reached (${MAX_WEBHOOKS_PER_CHANNEL})`);
    const webhookId = this.world.snowflake();
    this.webhooks.set(webhookId, { channelId: targetId, hubId });
    const followers = this.world.followers.get(hubId) ?? new Map();
    this.world.followers.set(hubId, followers);
    const guildId = this.world.guildOf(targetId);
    followers.set(targetId, { webhookId, ...(guildId ? { guildId } : {}) });
    return ok({ channel_id: hubId, webhook_id: webhookId });
  }

  /** `DELETE /webhooks/{id}`: 204, and the follow it made ends. */
  deleteWebhook(webhookId: string): CuedResponse {
    const hook = this.webhooks.get(webhookId);
    if (!hook) return error(404, 10015, 'Unknown Webhook');
    if (!this.botMay(hook.channelId, MANAGE_WEBHOOKS)) return error(403, 50013, 'Missing Permissions');
    this.webhooks.delete(webhookId);
    const followers = this.world.followers.get(hook.hubId);
    if (followers?.get(hook.channelId)?.webhookId === webhookId) followers.delete(hook.channelId);
    return { status: 204 };
  }

  /**
   * Whether the bot holds `bit` in the channel: the server's @everyone role and the bot's roles, Administrator
   * grants all, then the channel's overwrites (@everyone, roles, the bot). A channel of a server whose roles are
   * not modelled (`guildRoles`) allows it, as the fake did before it modelled permissions.
   */
  botMay(channelId: string, bit: bigint): boolean {
    const guildId = this.world.guildOf(channelId);
    const guild = guildId === undefined ? undefined : this.world.guildRoles.get(guildId);
    if (guildId === undefined || !guild) return true;
    const held = new Set([guildId, ...guild.botRoles]);
    let permissions = guild.roles
      .filter((role) => held.has(role.id))
      .reduce((sum, role) => sum | BigInt(role.permissions), 0n);
    if (permissions & ADMINISTRATOR) return true;
    const overwrites = this.world.overwrites.get(channelId) ?? [];
    const apply = (overwrite: FakeOverwrite | undefined) => {
      if (overwrite) permissions = (permissions & ~BigInt(overwrite.deny)) | BigInt(overwrite.allow);
    };
    apply(overwrites.find((o) => o.id === guildId));
    const roles = overwrites.filter((o) => o.type === 0 && o.id !== guildId && guild.botRoles.includes(o.id));
    const deny = roles.reduce((sum, o) => sum | BigInt(o.deny), 0n);
    const allow = roles.reduce((sum, o) => sum | BigInt(o.allow), 0n);
    permissions = (permissions & ~deny) | allow;
    apply(overwrites.find((o) => o.type === 1 && o.id === BOT_USER.id));
    return (permissions & bit) !== 0n;
  }
}
