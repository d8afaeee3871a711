import { ChannelType, type APIChannel } from 'discord.js';
import { DeliveryError, type HubChannelCheck } from '../../src/delivery/announcer.js';
import type { DiscordClient } from './client.js';

/** "This message has already been crossposted": publishing it again has nothing left to do. */
export const ALREADY_CROSSPOSTED = '40033';

/**
 * A hub channel's Discord side: what the channel is (`GET /channels/{id}`), and the publish of a delivered
 * message to the channels that follow it (`POST /channels/{id}/messages/{id}/crosspost`). Unlike a
 * subscription's best-effort crosspost (follow-ups.ts), a hub's publish is part of its delivery: failures are
 * thrown, classified by the client layer, and the deliver job retries them.
 * https://discord.com/developers/docs/resources/message#crosspost-message
 */
export class DiscordHub {
  constructor(private readonly client: DiscordClient) {}

  async check(channelId: string): Promise<HubChannelCheck> {
    const channel = (await this.client.call('getChannel', { channelId })) as APIChannel & {
      guild_id?: string;
    };
    return {
      serverId: channel.guild_id ?? null,
      announcement: channel.type === ChannelType.GuildAnnouncement,
      type: channel.type,
    };
  }

  async publish(channelId: string, messageId: string): Promise<void> {
    try {
      await this.client.call('crosspostMessage', { channelId, messageId });
    } catch (error) {
      // An earlier attempt published it and its answer was lost: done.
      if (error instanceof DeliveryError && error.code === ALREADY_CROSSPOSTED) return;
      throw error;
    }
  }
}
