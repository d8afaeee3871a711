import type { ChannelRef } from '../subscriptions/subscription-store.js';

/**
 * The workspace of a hub channel's deliveries. A hub is declared in config (`DISCORD_HUB_CHANNELS`), not a
 * subscription: its deliveries are keyed apart from any subscription of the same channel, and nothing a server
 * manager does (`unsubscribe`, a lost-access answer) can remove or disable it.
 */
export const HUB_WORKSPACE = 'hub';

/** The channel of a hub's deliveries. */
export function hubRef(channelId: string): ChannelRef {
  return { platform: 'discord', workspaceId: HUB_WORKSPACE, channelId };
}

/** Whether a delivery goes to a hub channel. */
export function isHub(channel: Pick<ChannelRef, 'platform' | 'workspaceId'>): boolean {
  return channel.platform === 'discord' && channel.workspaceId === HUB_WORKSPACE;
}
