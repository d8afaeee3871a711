import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { DeliveryError } from '../../src/delivery/announcer.js';

/**
 * JSON error codes that mean this channel is gone or closed to the bot: retrying cannot help, and each
 * retry would count towards Discord's invalid-request limit (10,000 per 10 minutes per IP).
 * https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes
 * https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans
 */
export const LOST_ACCESS_CODES: ReadonlySet<number> = new Set([
  10003, // Unknown channel
  10004, // Unknown guild
  50001, // Missing access
  50007, // Cannot send messages to this user
  50013, // Missing permissions
  50083, // Operation on an archived thread
  160005, // Thread is locked
]);

/** https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes */
const INVALID_FORM_BODY = 50035;

/** Used when a 429 arrives without a usable `Retry-After` header (the body's `retry_after` is not exposed). */
const DEFAULT_RETRY_AFTER_MS = 1_000;

/**
 * Classifies whatever the REST client threw into the three delivery kinds. Permanent means Discord itself
 * said so: only a JSON error code about this channel (above) disables a subscription.
 * - a 401, 403 or 404 without such a code (a proxy's or CDN's HTML page, Discord's generic route 404
 *   `{"code": 0}` that a wrong `DISCORD_API_URL` earns on every send, an empty body) → transient: it is
 *   about the path to Discord or the bot, not the channel, and disabling would lose every channel at once;
 * - 429 (`RateLimitError`, thrown because the REST client is built with `rejectOnRateLimit`) → rate-limited
 *   with the wait from `Retry-After`, scoped `global` only when Discord said so (`X-RateLimit-Global` or
 *   scope `global`); a per-route (`user`/`shared`) limit concerns this channel's bucket alone;
 * - 5xx, network errors, timeouts → transient;
 * - 401 → auth, retried like transient on purpose: one bot token serves every channel, so a bad token is an
 *   operator fix, not a reason to disable each subscription in turn; the failed jobs can be re-driven once it
 *   is fixed (the client layer keeps the token set after a 401, client.ts);
 * - 50035 invalid form body → rejected: this delivery fails at once (no retry), the channel stays enabled;
 * - other 4xx → transient: a bug in our payload, not in the channel.
 */
export function toDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof RateLimitError) {
    const wait = error.retryAfter > 0 ? error.retryAfter : error.timeToReset;
    const global = error.global || error.scope === 'global';
    return DeliveryError.rateLimited(
      wait > 0 ? Math.ceil(wait) : DEFAULT_RETRY_AFTER_MS,
      `rate limited on ${error.route}${global ? ' (global)' : ` (${error.scope})`}`,
      global ? 'global' : 'channel',
    );
  }
  if (error instanceof DiscordAPIError) {
    const code = typeof error.code === 'number' ? error.code : Number(error.code);
    const label = Number.isFinite(code) && code > 0 ? String(code) : `http_${error.status}`;
    if (LOST_ACCESS_CODES.has(code))
      return DeliveryError.permanent(label, `${error.status} ${error.message}`);
    if (error.status === 429) return DeliveryError.rateLimited(DEFAULT_RETRY_AFTER_MS, error.message);
    if (error.status === 401) return DeliveryError.auth(label, `${error.status} ${error.message}`);
    // 50035 invalid form body: this message, not the channel, is at fault, and resending it cannot help.
    if (code === INVALID_FORM_BODY) return DeliveryError.rejected(label, `${error.status} ${error.message}`);
    return DeliveryError.transient(label, `${error.status} ${error.message}`);
  }
  if (error instanceof HTTPError) {
    return DeliveryError.transient(`http_${error.status}`, `${error.status} ${error.message}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  // @discordjs/rest throws a TypeError ("Cannot use 'in' operator …") on a 4xx whose body is not JSON.
  const code =
    error instanceof Error && 'code' in error && typeof error.code === 'string'
      ? error.code
      : error instanceof TypeError
        ? 'non_json_answer'
        : 'network';
  return DeliveryError.transient(code, message);
}
