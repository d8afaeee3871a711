import type { Config } from '../../src/config.js';
import type { Follow } from '../../src/subscriptions/follow-store.js';
import { botPermissionsIn } from './discord-channel-permissions.js';
import { FOLLOW_PERMISSIONS, missingPermissions } from './discord-permissions.js';
import { discordGet, type PlatformPeer } from './http.js';
import { describeError, pass, warn, type DoctorCheck } from './report.js';

/** Discord's JSON code for a channel it does not know. */
const UNKNOWN_CHANNEL = 10003;

const UNFOLLOW_BY_HAND =
  "until then a manager can end the follow in the channel's settings → Integrations → Followed Channels";

/**
 * A channel that follows a hub: can the bot see it, and does it hold Manage Webhooks there? Discord delivers
 * through the follow's webhook whatever the bot may do, so a problem here is a warning, not a failure: it is
 * `/psf unfollow` (which deletes the webhook) and following again that need the permission.
 */
export async function checkFollow(
  follow: Follow,
  deps: { config: Pick<Config, 'discord'>; peer: PlatformPeer },
): Promise<DoctorCheck> {
  const name = `discord: follow of the ${follow.feed} hub in channel ${follow.channelId} (${follow.workspaceId})`;
  const discord = deps.config.discord;
  if (!discord)
    return warn(
      name,
      'recorded, but Discord is not configured',
      'set DISCORD_TOKEN and DISCORD_APPLICATION_ID',
    );
  try {
    const channel = await discordGet(deps.peer, discord, 'getChannel', { channelId: follow.channelId });
    // Only Discord's own code says the channel is gone; a proxy's 404 page says nothing of it.
    if (channel.status === 404 && channel.body?.code === UNKNOWN_CHANNEL)
      return warn(
        name,
        'unknown channel (404, 10003): deleted, so the follow delivers nowhere',
        'nothing to do for delivery; the record stays until the server runs /psf unfollow',
      );
    if (channel.status !== 200)
      return warn(
        name,
        `the bot cannot see the channel (HTTP ${channel.status}); the follow may still deliver, but /psf unfollow cannot end it`,
        `give the bot View Channel and Manage Webhooks there; ${UNFOLLOW_BY_HAND}`,
      );
    const read = await botPermissionsIn(follow.channelId, channel.body ?? {}, deps);
    if ('unread' in read) return pass(name, read.unread);
    const { label, held } = read;
    const missing = missingPermissions(held, FOLLOW_PERMISSIONS);
    if (missing.length === 0)
      return pass(name, `${label}: Discord delivers the hub's posts; the bot has Manage Webhooks there`);
    return warn(
      name,
      `${label}: Discord delivers the hub's posts, but the bot lacks ${missing.join(', ')}, so /psf unfollow cannot end the follow`,
      `grant the bot ${missing.join(', ')} there (channel settings → Permissions); ${UNFOLLOW_BY_HAND}`,
    );
  } catch (error) {
    return warn(name, describeError(error), 'check the network and DISCORD_API_URL, then run doctor again');
  }
}
