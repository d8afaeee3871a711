import { DeliveryError, type AccessCheck } from '../../src/delivery/announcer.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import type { DiscordClient } from './client.js';

/** Discord's largest page of `GET /users/@me/guilds`. */
const GUILDS_PAGE = 200;

/** Channels asked about at once: a server with many channels costs a few seconds, not a burst. */
const CONFIRM_BATCH = 5;

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
 * `GET /channels/{id}` only for the channels of servers the bot is still in. A channel whose server is gone
 * from the list is lost with all of its server. Throws (classified) when the server list cannot be read.
 * Every request goes through the client layer (`client.ts`).
 */
export async function confirmDiscordAccess(
  client: DiscordClient,
  suspects: readonly { channel: ChannelRef; code: string }[],
): Promise<AccessCheck[]> {
  // Throws a classified DeliveryError (the client's) when the list cannot be read.
  const guilds = await botGuildIds(client);
  const checks: AccessCheck[] = [];
  const inServers: ChannelRef[] = [];
  for (const { channel, code } of suspects) {
    if (guilds.has(channel.workspaceId)) inServers.push(channel);
    else
      checks.push({ channel, verdict: 'lost', reason: `${code}: ${REMOVED_FROM_SERVER}`, workspace: true });
  }
  for (let i = 0; i < inServers.length; i += CONFIRM_BATCH) {
    const batch = inServers.slice(i, i + CONFIRM_BATCH);
    checks.push(...(await Promise.all(batch.map((channel) => checkChannel(client, channel)))));
  }
  return checks;
}
