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

/** How far before the first attempt we read (clock skew between us and Slack). */
const SKEW_S = 10;
const MAX_PAGES = 5;

/** Errors meaning this workspace does not let us read the channel: look unavailable, send as before. */
const CANNOT_READ = new Set(['missing_scope', 'not_in_channel', 'no_permission']);

interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

/**
 * Reads `conversations.history` from the first attempt on, with `include_all_metadata`, for a message whose
 * metadata names this delivery. Needs `channels:history` (public) / `groups:history` (private channels)
 * and the bot in the channel. https://docs.slack.dev/reference/methods/conversations.history
 */
export async function findEarlierSlackMessage(
  client: SlackClient,
  token: string,
  channelId: string,
  attempt: EarlierAttempt,
): Promise<LookResult> {
  const oldest = (attempt.since.getTime() / 1000 - SKEW_S).toFixed(6);
  let cursor: string | undefined;
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await client.call('conversations.history', {
        token,
        channel: channelId,
        oldest,
        include_all_metadata: true,
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      const messages = (answer.messages ?? []) as HistoryMessage[];
      const mine = messages.find(
        (message) =>
          message.metadata?.event_type === ANNOUNCEMENT_EVENT_TYPE &&
          message.metadata.event_payload?.delivery === attempt.nonce,
      );
      if (mine?.ts) return { found: { messageId: mine.ts } };
      cursor = answer.response_metadata?.next_cursor || undefined;
      if (!answer.has_more || !cursor) return { found: null };
    }
    return { found: null };
  } catch (error) {
    if (error instanceof DeliveryError && CANNOT_READ.has(error.code)) {
      return { unavailable: `conversations.history: ${error.code}` };
    }
    throw classifySlackError(error);
  }
}
