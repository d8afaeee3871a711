import {
  DiscordClient,
  type DiscordRouteName,
  type DiscordRouteParams,
} from '../../adapters/discord/client.js';
import { SlackClient, type SlackMethodName } from '../../adapters/slack/client.js';
import { DeliveryError } from '../../src/delivery/announcer.js';

/**
 * How the doctor reaches the platforms: through each adapter's one client layer (the same classification,
 * token handling and request counting as deliveries), with a time limit per request.
 */
export class PlatformPeer {
  private readonly discordClients = new Map<string, DiscordClient>();
  private readonly slackClients = new Map<string, SlackClient>();

  constructor(readonly timeoutMs: number) {}

  /** The Discord client for this API base and token, built once. */
  discord(discord: { apiUrl: string; token: string }): DiscordClient {
    const key = `${discord.apiUrl}\u0000${discord.token}`;
    let client = this.discordClients.get(key);
    if (!client) {
      client = new DiscordClient({ token: discord.token, apiUrl: discord.apiUrl, timeoutMs: this.timeoutMs });
      this.discordClients.set(key, client);
    }
    return client;
  }

  /** The Slack client for this API base, built once; each call names its token. */
  slack(apiUrl: string): SlackClient {
    let client = this.slackClients.get(apiUrl);
    if (!client) {
      client = SlackClient.queueOwned(apiUrl, this.timeoutMs);
      this.slackClients.set(apiUrl, client);
    }
    return client;
  }
}

/** An answer from a platform API: status and parsed JSON (null when there was none). */
export interface JsonAnswer {
  status: number;
  body: Record<string, unknown> | null;
}

/** Discord's versioned REST base, as discord.js builds it: `${api}/v10`. */
export function discordBase(apiUrl: string): string {
  return `${apiUrl.replace(/\/+$/, '')}/v10`;
}

/** One Discord REST route as the bot; network failures and timeouts throw. */
export async function discordGet<N extends DiscordRouteName>(
  peer: PlatformPeer,
  discord: { apiUrl: string; token: string },
  name: N,
  params: DiscordRouteParams<N>,
  query?: URLSearchParams,
): Promise<JsonAnswer> {
  const answer = await peer.discord(discord).ask(name, params, query ? { query } : {});
  const body =
    answer.body && typeof answer.body === 'object' ? (answer.body as Record<string, unknown>) : null;
  return { status: answer.status, body };
}

/** No answer came at all: the doctor reports the platform as unreachable. */
const UNREACHABLE = new Set(['network', 'timeout', 'unknown']);

/**
 * Calls one Slack Web API method. Slack answers HTTP 200 with `{ ok: false, error }` for failures: those (and
 * HTTP errors as `http_<status>`, 429s as `rate_limited`) come back as `{ ok: false, error }`; network failures
 * and timeouts throw.
 */
export async function slackCall(
  peer: PlatformPeer,
  apiUrl: string,
  token: string,
  method: SlackMethodName,
  params: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const base = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  try {
    const answer: unknown = await peer.slack(base).call(method, { token, ...params } as never);
    return answer as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof DeliveryError) || (error.kind === 'transient' && UNREACHABLE.has(error.code)))
      throw error;
    return { ok: false, error: error.code };
  }
}
