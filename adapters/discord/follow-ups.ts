import { ChannelType, type APIChannel } from 'discord.js';
import { DeliveryError } from '../../src/delivery/announcer.js';
import type { DiscordClient } from './client.js';
import { threadName } from './forum.js';
import type { DiscordHub } from './hub.js';

/** "A thread has already been created for this message": an earlier attempt opened it, its answer lost. */
export const THREAD_ALREADY_CREATED = '160004';

/**
 * The steps after an announcement is sent: a thread on it, and a crosspost to followers. Each is a recorded step
 * of the delivery (jobs/delivery/follow-ups.ts): failures are thrown as the client layer classified them, and
 * what says the step was already done (40033, 160004) counts as done.
 */
export class DiscordFollowUps {
  /** Channel types, per process: a type read that failed is asked again (the step is retried). */
  private readonly channelTypes = new Map<string, number>();

  constructor(
    private readonly client: DiscordClient,
    private readonly hub: DiscordHub,
  ) {}

  /**
   * Opens a thread on the announcement, named after the post; one already opened counts as done.
   * https://discord.com/developers/docs/resources/channel#start-thread-from-message
   */
  async openThread(channelId: string, messageId: string, title: string): Promise<void> {
    try {
      await this.client.call(
        'startThreadFromMessage',
        { channelId, messageId },
        { body: { name: threadName(title) } },
      );
    } catch (error) {
      if (error instanceof DeliveryError && error.code === THREAD_ALREADY_CREATED) return;
      throw error;
    }
  }

  /**
   * Publishes the message to following servers, the way a hub's is (`DiscordHub.publish`: 40033 is done).
   * Only announcement channels publish: elsewhere it resolves false, nothing asked.
   * https://discord.com/developers/docs/resources/message#crosspost-message
   */
  async crosspost(channelId: string, messageId: string): Promise<boolean> {
    if ((await this.channelType(channelId)) !== ChannelType.GuildAnnouncement) return false;
    await this.hub.publish(channelId, messageId);
    return true;
  }

  /** The channel's type, kept for the process once read. */
  private async channelType(channelId: string): Promise<number> {
    const known = this.channelTypes.get(channelId);
    if (known !== undefined) return known;
    const channel = (await this.client.call('getChannel', { channelId })) as APIChannel;
    this.channelTypes.set(channelId, channel.type);
    return channel.type;
  }
}
