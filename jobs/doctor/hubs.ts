import type { Config } from '../../src/config.js';
import { checkDiscordPermissions } from './discord-channel-permissions.js';
import { discordGet, type PlatformPeer } from './http.js';
import { describeError, fail, unknown, type DoctorCheck } from './report.js';

/** Discord's announcement channel type: the only kind other servers can follow. */
const ANNOUNCEMENT = 5;

/**
 * Each hub channel (`DISCORD_HUB_CHANNELS`): visible to the bot, an announcement channel, and the bot holds what
 * posting and publishing there needs (View Channel, Send Messages, Embed Links, Read Message History, Manage
 * Messages). A hub that fails here is one the workers refuse to post to.
 */
export async function checkHubChannels(
  config: Pick<Config, 'discord'>,
  peer: PlatformPeer,
): Promise<DoctorCheck[]> {
  const discord = config.discord;
  if (!discord) return [];
  return Promise.all(
    discord.hubs.map(async (hub) => {
      const name = `discord: hub ${hub.feed} (${hub.channelId})`;
      try {
        const answer = await discordGet(peer, discord, 'getChannel', { channelId: hub.channelId });
        if (answer.status !== 200) {
          const code = answer.body?.code !== undefined ? ` code ${String(answer.body.code)}` : '';
          return fail(
            name,
            `Discord answered HTTP ${answer.status}${code} for the hub channel: the bot cannot see it`,
            'invite the bot to the server that holds the hub, or fix the id in DISCORD_HUB_CHANNELS',
          );
        }
        const type = answer.body?.type;
        if (type !== ANNOUNCEMENT)
          return fail(
            name,
            `not an announcement channel (type ${String(type)}): other servers cannot follow it, so nothing is posted there`,
            'make it an announcement channel (channel settings → Overview; the server must be a Community server), or name one in DISCORD_HUB_CHANNELS',
          );
        return checkDiscordPermissions(
          { channelId: hub.channelId, options: { crosspost: true } },
          { config, peer },
          name,
          answer.body ?? {},
        );
      } catch (error) {
        return unknown(name, `Discord could not be asked (${describeError(error)})`, 'run doctor again');
      }
    }),
  );
}
