import { ChannelType, type APIChannel } from 'discord.js';
import type { Logger } from '../../src/logger.js';
import type { DiscordClient } from './client.js';
import { toDeliveryError } from './errors.js';
import { threadName } from './forum.js';

/** The best-effort steps after an announcement is delivered: a thread on it, and a crosspost to followers. */
export class DiscordFollowUps {
  /** Channel types never change in place, so one lookup per channel per process is enough. */
  private readonly channelTypes = new Map<string, number>();

  constructor(
    private readonly client: DiscordClient,
    private readonly logger?: Logger,
  ) {}

  /**
   * Opens a thread on the announcement, named after the post. Best effort, like crossposting: the message is
   * delivered, and failing here would only repeat it.
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
      const failure = toDeliveryError(error);
      this.logger?.warn(
        { channelId, messageId, code: failure.code, err: failure.message },
        'thread not opened',
      );
    }
  }

  /**
   * Publishes the message to following servers. Best effort: the message is already delivered, and
   * failing the job here would only repeat the send, so a crosspost failure (missing permission, the
   * tight per-channel crosspost rate limit) is logged, never thrown.
   * https://discord.com/developers/docs/resources/message#crosspost-message
   */
  async crosspost(channelId: string, messageId: string): Promise<void> {
    try {
      if ((await this.channelType(channelId)) !== ChannelType.GuildAnnouncement) return;
      await this.client.call('crosspostMessage', { channelId, messageId });
    } catch (error) {
      const failure = toDeliveryError(error);
      this.logger?.warn(
        { channelId, messageId, code: failure.code, err: failure.message },
        'crosspost failed',
      );
    }
  }

  /** The channel's type (cached for ever: types do not change in place). */
  private async channelType(channelId: string): Promise<number> {
    const known = this.channelTypes.get(channelId);
    if (known !== undefined) return known;
    const channel = (await this.client.call('getChannel', { channelId })) as APIChannel;
    this.channelTypes.set(channelId, channel.type);
    return channel.type;
  }
}
