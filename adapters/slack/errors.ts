import { webApi } from '@slack/bolt';
import { DeliveryError } from '../../src/delivery/announcer.js';

/**
 * `ok:false` error codes (HTTP 200) that mean this channel will never accept our messages until a person
 * acts: lost access, unknown or archived channel, revoked token, missing scope.
 * https://docs.slack.dev/reference/methods/chat.postMessage#errors
 *
 * `invalid_auth` and `not_authed` are `auth`, retried like transient on purpose: in single-workspace mode they mean the
 * operator's token is wrong, which would otherwise disable every subscription at once. The jobs exhaust
 * their retries and stay re-drivable, and `doctor` names the token. A revoked or uninstalled app reports
 * `token_revoked` / `account_inactive` instead, which are permanent.
 */
export const PERMANENT_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'account_inactive',
  'token_revoked',
  'ekm_access_denied',
  'team_access_not_granted',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'not_installed',
]);

/** The token was refused: the operator's to fix, never a reason to disable a channel. */
const AUTH_ERRORS: ReadonlySet<string> = new Set(['invalid_auth', 'not_authed']);

/**
 * Slack's advice when a 429 names no usable wait: about one message per second per channel. Slack's limits
 * are per workspace and method, so a 429 delays that workspace only.
 */
const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

/** Classifies a failed Web API call into the three kinds the delivery job acts on. */
export function classifySlackError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof webApi.WebAPIRateLimitedError) {
    return DeliveryError.rateLimited(
      Math.max(0, error.retryAfter) * 1000,
      `Slack rate limit: retry in ${error.retryAfter}s`,
      'workspace',
    );
  }
  if (error instanceof webApi.WebAPIPlatformError) {
    const code = String(error.data.error ?? 'unknown_error');
    if (code === 'ratelimited' || code === 'rate_limited')
      return DeliveryError.rateLimited(DEFAULT_RATE_LIMIT_WAIT_MS, 'Slack rate limit', 'workspace');
    const message = `Slack refused the message: ${code}`;
    if (AUTH_ERRORS.has(code)) return DeliveryError.auth(code, message);
    return PERMANENT_SLACK_ERRORS.has(code)
      ? DeliveryError.permanent(code, message)
      : DeliveryError.transient(code, message);
  }
  if (error instanceof webApi.WebAPIHTTPError && error.statusCode === 401)
    return DeliveryError.auth('http_401', 'Slack answered HTTP 401');
  if (error instanceof webApi.WebAPIHTTPError) {
    return DeliveryError.transient(`http_${error.statusCode}`, `Slack answered HTTP ${error.statusCode}`);
  }
  if (error instanceof webApi.WebAPIRequestError) {
    const timedOut = error.original.name === 'TimeoutError' || error.original.name === 'AbortError';
    return DeliveryError.transient(
      timedOut ? 'timeout' : 'network',
      `Slack unreachable: ${error.original.message}`,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  // web-api throws a plain Error for a 429 without a valid Retry-After header (WebClient.makeRequest).
  if (/Retry header did not contain a valid timeout/.test(message))
    return DeliveryError.rateLimited(DEFAULT_RATE_LIMIT_WAIT_MS, 'Slack rate limit', 'workspace');
  return DeliveryError.transient('unknown', message);
}
