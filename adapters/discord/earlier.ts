import { MessageType, type APIEmbed, type APIMessage, type APIUser } from 'discord.js';
import {
  DeliveryError,
  isDigestSubject,
  type EarlierAttempt,
  type LookResult,
  type LookSubject,
} from '../../src/delivery/announcer.js';
import { digestTitle, type Digest } from '../../src/digests/digest.js';
import { isTestMessage } from './announcement.js';
import type { DiscordClient } from './client.js';
import { componentsAnnounce } from './components.js';
import { postEmbed } from './embeds.js';
import { toDeliveryError } from './errors.js';

/**
 * How long after a first attempt a re-send is left to `enforce_nonce` alone. Discord checks nonces "in the
 * past few minutes" (unspecified), so we read the channel well inside that.
 * https://discord.com/developers/docs/resources/message#create-message
 */
export const NONCE_TRUST_MS = 60_000;

/** Discord's epoch (2015-01-01), for snowflakes built from a time. */
const DISCORD_EPOCH_MS = 1_420_070_400_000n;

/** How far before the first attempt we start reading (clock skew between us and Discord). */
export const SKEW_MS = 10_000;

/** At most this many pages of 100 messages are read: an announcement is found near the first attempt. */
const MAX_PAGES = 5;

/** Errors that mean the bot may not read the channel's history (View Channel, Read Message History). */
export const CANNOT_READ = new Set([50001, 50013]);

/** The smallest snowflake at `ms`: `GET …/messages?after=` it lists what was created since. */
export function snowflakeAt(ms: number): string {
  return ((BigInt(Math.max(0, Math.floor(ms))) - DISCORD_EPOCH_MS) << 22n).toString();
}

/**
 * True when the message is the bot's announcement of `subject`: a plain message (type 0) by the bot, not a
 * `/psf test` message (marked `TEST_MARK`), whose embed (or, in Components V2, its link
 * button) identifies it. For a post: the embed links the post
 * (or, for a post without a URL, has its title, time and feed); another post with the same title has another
 * URL. For a digest: the digest's marker (its title and, as timestamp, the
 * period's end: one per channel and period). The bot's answers to slash commands (`/psf latest` shows posts
 * the same way) come through the interaction webhook and are not taken for one.
 */
export function announces(message: APIMessage, botId: string, subject: LookSubject): boolean {
  if (message.author.id !== botId || message.webhook_id || message.type !== MessageType.Default) return false;
  if (isTestMessage(message)) return false;
  if (isDigestSubject(subject)) return message.embeds.some((embed) => marksDigest(embed, subject));
  if (componentsAnnounce(message.components ?? [], subject)) return true;
  const expected = postEmbed(subject);
  return message.embeds.some((embed) => identifiesPost(embed, expected));
}

/** The embed is the post's: its link, or for a post without one, its title, time and feed. */
function identifiesPost(embed: APIEmbed, expected: APIEmbed): boolean {
  if (expected.url) return embed.url === expected.url;
  return (
    !embed.url &&
    embed.title === expected.title &&
    sameTime(embed.timestamp, expected.timestamp) &&
    embed.footer?.text === expected.footer?.text
  );
}

/** Two ISO timestamps naming the same instant (Discord answers `+00:00` for a `Z` sent), or both absent. */
function sameTime(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined ? a === b : Date.parse(a) === Date.parse(b);
}

/** The digest's marker in its embed: its title and, as timestamp, the end of its period. */
function marksDigest(embed: { title?: string; timestamp?: string }, digest: Digest): boolean {
  if (embed.title !== digestTitle(digest) || !embed.timestamp) return false;
  return Date.parse(embed.timestamp) === Date.parse(digest.periodEnd);
}

/**
 * Beyond the nonce window, reads the channel's messages since the first attempt for one by the bot that
 * announces the post (`GET /channels/{id}/messages?after=`). Within it, the nonce makes a re-send safe.
 * https://discord.com/developers/docs/resources/message#get-channel-messages
 */
export async function findEarlierDiscordMessage(
  client: DiscordClient,
  botId: () => Promise<string>,
  channelId: string,
  subject: LookSubject,
  attempt: EarlierAttempt,
  trustMs = NONCE_TRUST_MS,
): Promise<LookResult> {
  if (Date.now() - attempt.since.getTime() < trustMs) return { found: null };
  try {
    const me = await botId();
    let after = snowflakeAt(attempt.since.getTime() - SKEW_MS);
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = new URLSearchParams({ after, limit: '100' });
      const messages = (await client.call('listMessages', { channelId }, { query })) as APIMessage[];
      const mine = messages.find((message) => announces(message, me, subject));
      if (mine) return { found: { messageId: mine.id } };
      if (messages.length < 100) return { found: null };
      after = messages.reduce((max, m) => (BigInt(m.id) > BigInt(max) ? m.id : max), after);
    }
    return { found: null };
  } catch (error) {
    if (error instanceof DeliveryError && CANNOT_READ.has(Number(error.code))) {
      return { unavailable: `cannot read message history (${error.code}): grant Read Message History` };
    }
    throw toDeliveryError(error);
  }
}

/** The bot's own user id (`GET /users/@me`), fetched once. */
export function botIdOnce(client: DiscordClient): () => Promise<string> {
  let id: Promise<string> | null = null;
  return () => {
    id ??= (client.call('currentUser', {}) as Promise<APIUser>).then(
      (user) => user.id,
      (error: unknown) => {
        id = null;
        throw error;
      },
    );
    return id;
  };
}
