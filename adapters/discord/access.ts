import { Routes, type REST } from 'discord.js';
import type { AccessCheck } from '../../src/delivery/announcer.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import { toDeliveryError } from './errors.js';

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
export async function botGuildIds(rest: REST): Promise<Set<string>> {
  const ids = new Set<string>();
  let after = '0';
  for (;;) {
    const query = new URLSearchParams({ limit: String(GUILDS_PAGE), after });
    const page = (await rest.get(Routes.userGuilds(), { query })) as { id: string }[];
    for (const guild of page) ids.add(guild.id);
    if (page.length < GUILDS_PAGE) return ids;
    after = page[page.length - 1]!.id;
  }
}

/** Runs one REST call; the announcer's keeps the REST client's token after a 401. */
export type RestCall = <T>(call: () => Promise<T>) => Promise<T>;

/** `GET /channels/{id}`: reachable when Discord shows it; lost only on Discord's own lost-access code. */
async function checkChannel(rest: REST, call: RestCall, channel: ChannelRef): Promise<AccessCheck> {
  try {
    await call(() => rest.get(Routes.channel(channel.channelId)));
    return { channel, verdict: 'reachable' };
  } catch (error) {
    const classified = toDeliveryError(error);
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
 */
export async function confirmDiscordAccess(
  rest: REST,
  suspects: readonly { channel: ChannelRef; code: string }[],
  call: RestCall = (request) => request(),
): Promise<AccessCheck[]> {
  let guilds: Set<string>;
  try {
    guilds = await call(() => botGuildIds(rest));
  } catch (error) {
    throw toDeliveryError(error);
  }
  const checks: AccessCheck[] = [];
  const inServers: ChannelRef[] = [];
  for (const { channel, code } of suspects) {
    if (guilds.has(channel.workspaceId)) inServers.push(channel);
    else
      checks.push({ channel, verdict: 'lost', reason: `${code}: ${REMOVED_FROM_SERVER}`, workspace: true });
  }
  for (let i = 0; i < inServers.length; i += CONFIRM_BATCH) {
    const batch = inServers.slice(i, i + CONFIRM_BATCH);
    checks.push(...(await Promise.all(batch.map((channel) => checkChannel(rest, call, channel)))));
  }
  return checks;
}
