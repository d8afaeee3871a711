import { z } from 'zod';
import type { ChannelFollows, FollowAnswer, FollowFailure } from '../../src/commands/types.js';
import { DeliveryError } from '../../src/delivery/announcer.js';
import type { Logger } from '../../src/logger.js';
import type { DiscordClient } from './client.js';

/**
 * Discord's JSON codes a follow or unfollow can meet, and what each means here:
 * https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes
 */
const FAILURES: Record<string, FollowFailure> = {
  '10003': 'unknown_channel',
  '50024': 'not_followable',
  '50013': 'missing_permissions',
  '50001': 'missing_access',
  '30007': 'too_many_webhooks',
};

/** Unknown Webhook: the webhook a follow made is gone, so the follow has already ended. */
const UNKNOWN_WEBHOOK = '10015';

/** `POST /channels/{id}/followers` answers a Followed Channel object. */
const followed = z.object({ channel_id: z.string(), webhook_id: z.string().regex(/^\d{1,20}$/) });

/**
 * Discord's Channel Follow through the client layer (client.ts): `POST /channels/{hub}/followers` with
 * `{ webhook_channel_id }` makes Discord create a webhook in the target channel and copy each message published
 * (crossposted) in the hub into it; deleting that webhook ends the follow.
 * https://discord.com/developers/docs/resources/channel#follow-announcement-channel
 * Needs Manage Webhooks in the target channel. Every answer is classified by what Discord said; an answer that
 * does not say whether the follow was made (a 5xx, a timeout, a lost connection, a 4xx without Discord's JSON
 * code) is `unclear`, never retried.
 */
export class DiscordChannelFollows implements ChannelFollows {
  constructor(
    private readonly client: DiscordClient,
    private readonly logger?: Logger,
  ) {}

  async follow(hubChannelId: string, channelId: string): Promise<FollowAnswer<{ webhookId: string }>> {
    let answer: unknown;
    try {
      answer = await this.client.call(
        'followChannel',
        { channelId: hubChannelId },
        { body: { webhook_channel_id: channelId } },
      );
    } catch (error) {
      return this.failed(error, 'follow', hubChannelId);
    }
    const parsed = followed.safeParse(answer);
    if (parsed.success) return { ok: true, webhookId: parsed.data.webhook_id };
    // Discord said yes but not which webhook: the follow exists, and psf-bot could not end it later.
    this.logger?.warn({ hubChannelId, channelId }, 'Discord answered a follow without a webhook id');
    return { ok: false, failure: 'unclear', detail: 'Discord answered without the webhook it made' };
  }

  async unfollow(webhookId: string): Promise<FollowAnswer<{ gone: boolean }>> {
    try {
      await this.client.call('deleteWebhook', { webhookId });
      return { ok: true, gone: false };
    } catch (error) {
      if (error instanceof DeliveryError && error.code === UNKNOWN_WEBHOOK) return { ok: true, gone: true };
      return this.failed(error, 'unfollow', webhookId);
    }
  }

  private failed(
    error: unknown,
    what: string,
    id: string,
  ): { ok: false; failure: FollowFailure; detail: string; retryAfterMs?: number } {
    const classified =
      error instanceof DeliveryError ? error : DeliveryError.transient('unknown', String(error));
    const detail =
      `${classified.code === 'rate_limited' ? '429' : classified.code}: ${classified.message}`.slice(0, 200);
    if (classified.kind === 'rate_limited')
      return { ok: false, failure: 'rate_limited', detail, retryAfterMs: classified.retryAfterMs ?? 1_000 };
    const known = FAILURES[classified.code];
    if (known) return { ok: false, failure: known, detail };
    // Only a JSON error code is Discord itself saying no, so nothing was made. Anything else leaves it unknown
    // whether Discord acted: a 5xx, the network, a timeout, and a 4xx without a code (a proxy's or CDN's HTML
    // 401/403/404, Discord's generic route 404 for a wrong DISCORD_API_URL), which errors.ts treats the same way.
    const refused = /^\d+$/.test(classified.code) && classified.kind !== 'auth';
    this.logger?.warn({ err: classified, what, id }, `Discord ${what} failed`);
    return { ok: false, failure: refused ? 'refused' : 'unclear', detail };
  }
}
