import { DeliveryError, type AccessCheck } from '../../src/delivery/announcer.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import type { DiscordClient } from './client.js';

/** Discord's largest page of `GET /users/@me/guilds`. */
const GUILDS_PAGE = 200;

/** Channels asked about at once: a server with many channels costs a few seconds, not a burst. */
const CONFIRM_BATCH = 5;

/**
 * What `GET /channels/{id}` answers for a channel of a server that removed the bot (PLATFORM-NOTES §9.2): 50001
 * Missing Access; 10004 Unknown Guild for a server deleted. Any other lost-access code is about that channel.
 */
const SERVER_GONE = ['50001', '10004'];

/** Why a subscription is disabled when its server removed the bot (after the platform's code). */
export const REMOVED_FROM_SERVER = 'the bot was removed from this server';

/**
 * The ids of every server the bot is in (`GET /users/@me/guilds`, paged by `after`).
 * https://discord.com/developers/docs/resources/user#get-current-user-guilds
 */
export async function botGuildIds(client: DiscordClient): Promise<Set<string>> {
  const ids = new Set<string>();
  let after = '0';
  for (;;) {
    const query = new URLSearchParams({ limit: String(GUILDS_PAGE), after });
    const page = (await client.call('listCurrentUserGuilds', {}, { query })) as { id: string }[];
    for (const guild of page) ids.add(guild.id);
    if (page.length < GUILDS_PAGE) return ids;
    const last = page[page.length - 1]!.id;
    // Discord lists by id after `after`: a page that does not move on (a proxy or cache ignoring the query)
    // would be read forever. The list is then unknown, so nothing is confirmed lost from it.
    if (!/^\d+$/.test(last) || BigInt(last) <= BigInt(after))
      throw DeliveryError.transient('guild_list_stuck', `GET /users/@me/guilds did not move past ${after}`);
    after = last;
  }
}

/** `GET /channels/{id}`: reachable when Discord shows it; lost only on Discord's own lost-access code. */
async function checkChannel(client: DiscordClient, channel: ChannelRef): Promise<AccessCheck> {
  try {
    await client.call('getChannel', { channelId: channel.channelId });
    return { channel, verdict: 'reachable' };
  } catch (error) {
    const classified =
      error instanceof DeliveryError ? error : DeliveryError.transient('unknown', String(error));
    const reason = `${classified.code}: ${classified.message}`;
    return classified.kind === 'permanent'
      ? { channel, verdict: 'lost', reason }
      : { channel, verdict: 'unknown', reason };
  }
}

/**
 * Confirms each held channel's lost access (PLATFORM-NOTES §9.2): one server list for all of them, then
 * `GET /channels/{id}` only for the channels of servers the bot is still in. A server gone from the list is
 * asked about once more, through one of its channels: its absence from a list alone (a page a proxy cut
 * short, a stale cache) disables nothing. When Discord refuses that channel with Missing Access (or Unknown
 * Guild), the server is lost with all its channels; when it shows the channel or calls only that channel
 * gone, each of the server's other channels is asked about; otherwise they all stay unknown. Throws (classified) when the server list cannot be read. Every
 * request goes through the client layer (`client.ts`).
 */
export async function confirmDiscordAccess(
  client: DiscordClient,
  suspects: readonly { channel: ChannelRef; code: string }[],
): Promise<AccessCheck[]> {
  // Throws a classified DeliveryError (the client's) when the list cannot be read.
  const guilds = await botGuildIds(client);
  const checks: AccessCheck[] = [];
  const inServers: ChannelRef[] = [];
  const missing = new Map<string, { channel: ChannelRef; code: string }[]>();
  for (const suspect of suspects) {
    if (guilds.has(suspect.channel.workspaceId)) inServers.push(suspect.channel);
    else
      missing.set(suspect.channel.workspaceId, [
        ...(missing.get(suspect.channel.workspaceId) ?? []),
        suspect,
      ]);
  }
  for (const [, held] of missing) {
    const [first, ...others] = held;
    const check = await checkChannel(client, first!.channel);
    if (check.verdict === 'lost' && SERVER_GONE.some((code) => check.reason.startsWith(`${code}:`))) {
      for (const { channel, code } of held)
        checks.push({ channel, verdict: 'lost', reason: `${code}: ${REMOVED_FROM_SERVER}`, workspace: true });
    } else if (check.verdict !== 'unknown') {
      // The list was wrong about this server (or only that channel is gone): its channels are asked about one
      // by one.
      checks.push(check);
      inServers.push(...others.map(({ channel }) => channel));
    } else {
      for (const { channel } of held) checks.push({ channel, verdict: 'unknown', reason: check.reason });
    }
  }
  for (let i = 0; i < inServers.length; i += CONFIRM_BATCH) {
    const batch = inServers.slice(i, i + CONFIRM_BATCH);
    checks.push(...(await Promise.all(batch.map((channel) => checkChannel(client, channel)))));
  }
  return checks;
}
