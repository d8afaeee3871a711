import { networkReason } from '../../src/feeds/errors.js';
import { displayUrl } from '../../src/redaction.js';

/** A platform could not be reached or refused us while starting: the message names platform, endpoint and cause. */
export class PlatformStartupError extends Error {
  override readonly name = 'PlatformStartupError';
}

type PlatformName = 'Discord' | 'Slack';

/** The errors in a chain: the error, its `cause`, Slack's `original`, an AggregateError's `errors`. */
function chain(error: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && found.length < 10) {
    const next = queue.shift();
    if (typeof next !== 'object' || next === null || found.includes(next as Record<string, unknown>))
      continue;
    const item = next as Record<string, unknown>;
    found.push(item);
    queue.push(item.cause, item.original);
    if (Array.isArray(item.errors)) queue.push(...(item.errors as unknown[]));
  }
  return found;
}

/** A system or undici error code in the chain (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_CONNECT_TIMEOUT`). */
function networkCode(errors: Record<string, unknown>[]): string | undefined {
  for (const item of errors) {
    if (typeof item.code === 'string' && /^(?:E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(item.code)) return item.code;
  }
  return undefined;
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);

/** What the platform answered, in plain words, when it answered; undefined when it did not. */
function answer(platform: PlatformName, errors: Record<string, unknown>[]): string | undefined {
  const tokenVariable = platform === 'Discord' ? 'DISCORD_TOKEN' : 'SLACK_BOT_TOKEN';
  for (const item of errors) {
    // discord.js: `TokenInvalid` when Discord answered 401 to the login; REST errors carry `status`.
    if (item.code === 'TokenInvalid' || item.status === 401)
      return `refused the token (HTTP 401): check ${tokenVariable}`;
    if (typeof item.status === 'number') return `answered HTTP ${item.status}`;
    // @slack/web-api: a platform error carries Slack's own code (`invalid_auth`), an HTTP error its status.
    const data = item.data as { error?: unknown } | undefined;
    if (item.code === 'slack_webapi_platform_error' && typeof data?.error === 'string') {
      const refused = /^(?:invalid_auth|not_authed|token_revoked|token_expired|account_inactive)$/.test(
        data.error,
      );
      return `answered ${data.error}${refused ? `: check ${tokenVariable}` : ''}`;
    }
    if (item.code === 'slack_webapi_http_error' && typeof item.statusCode === 'number')
      return `answered HTTP ${item.statusCode}`;
  }
  return undefined;
}

/**
 * One line for an operator, in the words feed errors use: `Slack: cannot reach https://slack.com/api/auth.test:
 * connection refused (ECONNREFUSED)`. Undefined when the error says nothing about the platform (a setup error).
 */
export function describeStartupFailure(
  platform: PlatformName,
  endpoint: string,
  error: unknown,
): string | undefined {
  const errors = chain(error);
  const answered = answer(platform, errors);
  if (answered) return `${platform}: ${endpoint} ${answered}`;
  const code = networkCode(errors);
  if (code && TIMEOUT_CODES.has(code)) return `${platform}: ${endpoint} did not answer in time (${code})`;
  if (code) return `${platform}: cannot reach ${endpoint}: ${networkReason(code)}`;
  if (errors.some((item) => item.name === 'AbortError' || item.name === 'TimeoutError'))
    return `${platform}: ${endpoint} did not answer in time`;
  // fetch refused before connecting ("bad port", a malformed URL): the innermost error says why.
  if (errors.some((item) => item.message === 'fetch failed' || item.code === 'slack_webapi_request_error')) {
    const innermost = errors.at(-1)?.message;
    return `${platform}: cannot reach ${endpoint}: ${typeof innermost === 'string' ? innermost : 'the request failed'}`;
  }
  return undefined;
}

/** Runs one start-up step that calls `platform`; a failure that came from the platform is said in its words. */
export async function platformStep<T>(
  platform: PlatformName,
  endpoint: { method: string; url: string },
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const words = describeStartupFailure(platform, `${endpoint.method} ${displayUrl(endpoint.url)}`, error);
    if (words === undefined) throw error;
    throw new PlatformStartupError(words, { cause: error });
  }
}
