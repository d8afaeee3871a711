import { DeliveryError, type EarlierAttempt, type LookResult } from '../../src/delivery/announcer.js';
import type { SlackClient } from './client.js';
import { classifySlackError } from './errors.js';

/**
 * Every announcement carries message metadata of this event type, the delivery key in its payload, so a
 * re-send can first find the message an unanswered attempt posted.
 * https://docs.slack.dev/messaging/message-metadata
 */
export const ANNOUNCEMENT_EVENT_TYPE = 'psf_announcement';

/** The `metadata` argument of `chat.postMessage` for one delivery. */
export function announcementMetadata(nonce: string): {
  event_type: string;
  event_payload: { delivery: string };
} {
  return { event_type: ANNOUNCEMENT_EVENT_TYPE, event_payload: { delivery: nonce } };
}

/** How far around the first attempt's window we read (clock skew between us and Slack). */
const SKEW_S = 10;

/**
 * At most this many messages a page: apps outside the Marketplace get 15 a page and one read a minute per
 * workspace (PLATFORM-NOTES §9.1), so a look reads one page per call and keeps its cursor between calls.
 */
export const LOOK_PAGE_SIZE = 15;

/** Errors meaning this workspace does not let us read the channel: look unavailable, send as before. */
const CANNOT_READ = new Set(['missing_scope', 'not_in_channel', 'no_permission']);

interface HistoryMessage {
  ts?: string;
  bot_id?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

/**
 * True when the message is an announcement of this very delivery: posted by an app (`bot_id`), carrying our
 * metadata with the delivery key, which is per post and channel. A `/psf test` message carries a fresh key of
 * its own, and another post's announcement (even one with the same title) carries another post's key.
 */
function announcesDelivery(message: HistoryMessage, nonce: string): boolean {
  return (
    Boolean(message.bot_id) &&
    message.metadata?.event_type === ANNOUNCEMENT_EVENT_TYPE &&
    message.metadata.event_payload?.delivery === nonce
  );
}

/** The window the first attempt's message can be in: from just before it started to after its timeout. */
export function lookWindow(since: Date, timeoutMs: number): { oldest: string; latest: string } {
  const start = since.getTime() / 1000;
  return {
    oldest: (start - SKEW_S).toFixed(6),
    latest: (start + timeoutMs / 1000 + SKEW_S).toFixed(6),
  };
}

/**
 * Reads one page of `conversations.history` (with `include_all_metadata`) in the window the first attempt's
 * message can be in, from `attempt.cursor` on, for the message whose metadata names this delivery. Returns
 * `{ partial: cursor }` when the page did not hold it and more remain: the caller keeps the cursor and reads
 * on later, so a look under one read a minute still ends. Needs `channels:history` (public) /
 * `groups:history` (private channels) and the bot in the channel.
 * https://docs.slack.dev/reference/methods/conversations.history
 */
export async function findEarlierSlackMessage(
  client: SlackClient,
  token: string,
  channelId: string,
  attempt: EarlierAttempt,
  timeoutMs: number,
): Promise<LookResult> {
  try {
    const answer = await client.call('conversations.history', {
      token,
      channel: channelId,
      ...lookWindow(attempt.since, timeoutMs),
      inclusive: true,
      include_all_metadata: true,
      limit: LOOK_PAGE_SIZE,
      ...(attempt.cursor ? { cursor: attempt.cursor } : {}),
    });
    const messages = (answer.messages ?? []) as HistoryMessage[];
    const mine = messages.find((message) => announcesDelivery(message, attempt.nonce));
    if (mine?.ts) return { found: { messageId: mine.ts } };
    const cursor = answer.response_metadata?.next_cursor;
    return answer.has_more && cursor ? { partial: cursor } : { found: null };
  } catch (error) {
    if (error instanceof DeliveryError && CANNOT_READ.has(error.code)) {
      return { unavailable: `conversations.history: ${error.code}` };
    }
    throw classifySlackError(error);
  }
}
