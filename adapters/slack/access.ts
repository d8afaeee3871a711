import type { AccessCheck } from '../../src/delivery/announcer.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import type { SlackClient } from './client.js';
import { classifySlackError } from './errors.js';

/** Channels asked about at once (`conversations.info` is Tier 3: 50+ a minute per workspace). */
const CONFIRM_BATCH = 5;

/** The `conversations.info` fields the confirmation reads. */
interface ChannelInfo {
  is_archived?: boolean;
  is_member?: boolean;
}

/**
 * Asks Slack about one channel that answered a channel-level code (`channel_not_found`, `not_in_channel`,
 * `is_archived`): archived, gone (or private without the app) and, for `not_in_channel`, not a member are
 * confirmed; a channel Slack shows otherwise is reachable. A rate limit throws, so the whole confirmation
 * waits for the next round; any other failure proves nothing (`unknown`).
 * https://docs.slack.dev/reference/methods/conversations.info (through the client layer, `client.ts`)
 */
async function checkChannel(
  client: SlackClient,
  token: string,
  { channel, code }: { channel: ChannelRef; code: string },
): Promise<AccessCheck> {
  let info: ChannelInfo;
  try {
    const answer = await client.call('conversations.info', { token, channel: channel.channelId });
    info = (answer.channel ?? {}) as ChannelInfo;
  } catch (error) {
    const classified = classifySlackError(error);
    if (classified.kind === 'rate_limited') throw classified;
    return classified.code === 'channel_not_found'
      ? {
          channel,
          verdict: 'lost',
          reason: 'channel_not_found: the channel was deleted, or the app is not in it',
        }
      : { channel, verdict: 'unknown', reason: `${classified.code}: ${classified.message}` };
  }
  if (info.is_archived) return { channel, verdict: 'lost', reason: 'is_archived: the channel is archived' };
  if (code === 'not_in_channel' && info.is_member === false)
    return { channel, verdict: 'lost', reason: 'not_in_channel: the app is not in this channel' };
  return { channel, verdict: 'reachable' };
}

/** Confirms, with one workspace's token, each held channel of that workspace (a few at a time). */
export async function confirmSlackAccess(
  client: SlackClient,
  token: string,
  suspects: readonly { channel: ChannelRef; code: string }[],
): Promise<AccessCheck[]> {
  const checks: AccessCheck[] = [];
  for (let i = 0; i < suspects.length; i += CONFIRM_BATCH) {
    const batch = suspects.slice(i, i + CONFIRM_BATCH);
    checks.push(...(await Promise.all(batch.map((suspect) => checkChannel(client, token, suspect)))));
  }
  return checks;
}
