import { DeliveryError, WRONG_BOT } from '../../src/delivery/announcer.js';
import type { DiscordClient } from './client.js';

/** What the guard probe, `status` and `doctor` say when DISCORD_TOKEN is another bot's. */
export function wrongBotMessage(botId: string, applicationId: string): string {
  return `DISCORD_TOKEN is the token of bot ${botId}, not of application ${applicationId}`;
}

/**
 * Checks that the token's bot belongs to DISCORD_APPLICATION_ID. A bot's user id is its application's id
 * (`GET /users/@me`); only when they differ (some bots made before 2017 have ids of their own) is
 * `GET /applications/@me` asked. Another working bot's token reads its own server list, which lacks the
 * subscribed servers: everything would look lost. Throws an `auth` DeliveryError (`wrong_bot`) naming both
 * ids, so nothing is confirmed lost with that token. Through the client layer (`client.ts`).
 * https://discord.com/developers/docs/resources/user#get-current-user
 * https://discord.com/developers/docs/resources/application#get-current-application
 */
export async function checkBotIdentity(client: DiscordClient, applicationId: string): Promise<void> {
  const user = (await client.call('currentUser', {})) as { id?: string };
  const botId = String(user.id ?? '');
  if (botId === applicationId) return;
  const application = (await client.call('currentApplication', {})) as { id?: string };
  if (String(application.id ?? '') === applicationId) return;
  throw DeliveryError.auth(WRONG_BOT, wrongBotMessage(botId, applicationId));
}
