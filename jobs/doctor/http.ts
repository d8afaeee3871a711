/** How the doctor talks to platform APIs: `fetch` (replaceable) and a time limit per request. */
export interface HttpPeer {
  fetch: typeof fetch;
  timeoutMs: number;
}

/** An answer from a platform API: status and parsed JSON (null when the body was not JSON). */
export interface JsonAnswer {
  status: number;
  body: Record<string, unknown> | null;
  headers?: Headers;
}

/** Sends one request and reads a JSON answer; network failures and timeouts throw. */
export async function requestJson(peer: HttpPeer, url: string, init: RequestInit = {}): Promise<JsonAnswer> {
  const response = await peer.fetch(url, { ...init, signal: AbortSignal.timeout(peer.timeoutMs) });
  const text = await response.text();
  let body: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    body = null;
  }
  return { status: response.status, body, headers: response.headers };
}

/** Discord's versioned REST base, as discord.js builds it: `${api}/v10`. */
export function discordBase(apiUrl: string): string {
  return `${apiUrl.replace(/\/+$/, '')}/v10`;
}

/** GET on Discord's REST API as the bot. */
export function discordGet(
  peer: HttpPeer,
  apiUrl: string,
  token: string,
  route: string,
): Promise<JsonAnswer> {
  return requestJson(peer, `${discordBase(apiUrl)}${route}`, {
    headers: {
      authorization: `Bot ${token}`,
      'user-agent': 'DiscordBot (https://github.com/psf-bot/psf-bot, 0.1.0)',
    },
  });
}

/**
 * Calls one Slack Web API method the way @slack/web-api does: a form-encoded POST to `${apiUrl}${method}` with
 * the token as a bearer. Slack answers HTTP 200 with `{ ok: false, error }` for failures, 429 when rate limited.
 */
export async function slackCall(
  peer: HttpPeer,
  apiUrl: string,
  token: string,
  method: string,
  params: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  return (await slackCallScoped(peer, apiUrl, token, method, params)).body;
}

/**
 * `slackCall`, also giving the token's scopes as Slack lists them in the `x-oauth-scopes` header (null
 * when the answer has none).
 */
export async function slackCallScoped(
  peer: HttpPeer,
  apiUrl: string,
  token: string,
  method: string,
  params: Record<string, string> = {},
): Promise<{ body: Record<string, unknown>; scopes: string | null }> {
  const base = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  const answer = await requestJson(peer, `${base}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  const scopes = answer.headers?.get('x-oauth-scopes') ?? null;
  if (answer.status === 429) return { body: { ok: false, error: 'rate_limited' }, scopes };
  if (!answer.body) return { body: { ok: false, error: `http_${answer.status}` }, scopes };
  return { body: answer.body, scopes };
}
