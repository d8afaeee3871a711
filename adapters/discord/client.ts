/**
 * The one way psf-bot talks to Discord's REST API: every request the running bot makes (deliveries, edits,
 * forum posts, crossposts, threads, channel reads, looks, probes, interaction replies, `doctor`,
 * `discord register`) is `client.call(name, params, { body, query })` (or `ask`, which hands back Discord's
 * status) with a route named in `DISCORD_ROUTES` (routes.ts). Lint forbids the discord.js REST client anywhere
 * else (eslint.config.js), so what this layer does holds for every call:
 *
 * - **The token survives a 401.** @discordjs/rest clears its token on any 401 to a bot-token route
 *   (`setToken(null)`), after which every request fails locally ("Expected token to be set") until a
 *   restart: one 401 from a proxy would stop delivery for good. The layer puts the token back after any
 *   failed call, so the next call really asks Discord (PLATFORM-NOTES §9.2).
 * - **Each outcome is classified once**, by `toDeliveryError` (errors.ts): lost access by Discord's own JSON
 *   code, rejected, rate-limited with its scope, auth (401), or transient. Callers catch `DeliveryError`.
 * - **Requests, not jobs, are counted** against the shared limits when a `RequestBudget` is given: each
 *   bot-token request takes a slot of Discord's 50/s per token across every worker process, and each 401,
 *   403 and 429 (except `X-RateLimit-Scope: shared`) counts toward the invalid-request budget (10,000 per
 *   10 minutes per IP bans the IP); past its thresholds the budget slows requests down.
 *   https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans
 *   Interaction routes carry the interaction token, not the bot's, and are exempt from the global limit:
 *   they are neither paced nor able to clear the token.
 *   https://discord.com/developers/docs/interactions/receiving-and-responding#endpoints
 */
import {
  DiscordAPIError,
  HTTPError,
  RateLimitError,
  REST,
  type RequestMethod,
  type RESTOptions,
} from 'discord.js';
import { DeliveryError } from '../../src/delivery/announcer.js';
import type { RequestBudget } from '../../src/delivery/request-budget.js';
import type { Logger } from '../../src/logger.js';
import { toDeliveryError } from './errors.js';
import {
  DISCORD_ROUTES,
  type DiscordRoute,
  type DiscordRouteName,
  type DiscordRouteParams,
} from './routes.js';

export {
  DISCORD_ROUTES,
  type DiscordRoute,
  type DiscordRouteName,
  type DiscordRouteParams,
} from './routes.js';

/** A request's JSON body and query string. */
export interface DiscordRequestInit {
  body?: unknown;
  query?: URLSearchParams;
}

/** What the client needs: the bot token, the API base (a local fake in tests), and the shared budget. */
export interface DiscordClientOptions {
  /** The bot token; without it only the interaction routes can be called (HTTP interactions mode). */
  token?: string;
  apiUrl: string;
  /** Per-request timeout; a timeout is a transient failure. */
  timeoutMs?: number;
  /** Global requests per second this process allows itself (discord.js's own limiter; Discord's is 50). */
  requestsPerSecond?: number;
  /** Discord's per-token and invalid-request limits, shared by every process (none: this process only). */
  budget?: RequestBudget;
  logger?: Logger;
  /** The HTTP transport under discord.js's REST (default undici); the random chaos suite's simulated Discord. */
  makeRequest?: RESTOptions['makeRequest'];
}

/**
 * Longest in-process wait for a request slot. A longer wait (the invalid-request budget nearly spent) is
 * thrown as a global rate limit, so the queue delays the job instead of a worker sleeping on it.
 */
const MAX_INLINE_WAIT_MS = 5_000;

/** What reaching each threshold of the invalid-request budget does, for the warning. */
const CROSSED = {
  reported: 'nothing slows yet',
  slowed: 'Discord requests are slowed',
  held: 'Discord requests are held until older ones leave the window',
} as const;

/** Discord's REST API through one path; see the top of this file. */
export class DiscordClient {
  private readonly rest: REST;

  constructor(private readonly options: DiscordClientOptions) {
    this.rest = new REST(queueOwnedRestOptions(options));
    if (options.token) this.rest.setToken(options.token);
    // Listening makes discord.js clone each response: only when there is a budget to count into.
    if (options.budget)
      this.rest.on('response', (request, response) => {
        if (!isInvalidAnswer(response.status, response.headers.get('x-ratelimit-scope'))) return;
        void this.noteInvalid(request.method, request.path, response.status);
      });
  }

  /**
   * Makes one request on a named route and returns Discord's parsed answer. Throws a classified
   * `DeliveryError` for every failure.
   */
  async call<N extends DiscordRouteName>(
    name: N,
    params: DiscordRouteParams<N>,
    init: DiscordRequestInit = {},
  ): Promise<unknown> {
    try {
      return await this.send(name, params, init);
    } catch (error) {
      throw toDeliveryError(error);
    }
  }

  /**
   * The same request, for callers that judge Discord's answer themselves (`doctor`): Discord's HTTP status and
   * JSON body, error answers included. Throws a classified `DeliveryError` only when no usable answer came
   * (network, timeout, a body that is not JSON).
   */
  async ask<N extends DiscordRouteName>(
    name: N,
    params: DiscordRouteParams<N>,
    init: DiscordRequestInit = {},
  ): Promise<{ status: number; body: unknown }> {
    try {
      return { status: 200, body: await this.send(name, params, init) };
    } catch (error) {
      if (error instanceof DiscordAPIError) return { status: error.status, body: error.rawError };
      if (error instanceof HTTPError) return { status: error.status, body: null };
      if (error instanceof RateLimitError) return { status: 429, body: null };
      throw toDeliveryError(error);
    }
  }

  private async send(name: DiscordRouteName, params: unknown, init: DiscordRequestInit): Promise<unknown> {
    const spec: DiscordRoute = DISCORD_ROUTES[name];
    if (spec.bot && !this.options.token)
      throw DeliveryError.auth('no_token', `${name} needs the bot token (DISCORD_TOKEN)`);
    if (spec.bot) await this.takeSlot();
    try {
      return await this.rest.request({
        method: spec.method as RequestMethod,
        fullRoute: spec.path(params as Readonly<Record<string, string>>),
        auth: spec.bot,
        ...(init.body !== undefined ? { body: init.body } : {}),
        ...(init.query ? { query: init.query } : {}),
      });
    } catch (error) {
      // Whatever failed, the token stays set: a 401 (even a proxy's HTML one) must not stop later calls.
      if (spec.bot && this.options.token) this.rest.setToken(this.options.token);
      throw error;
    }
  }

  /** Waits for a slot of the shared per-token budget (no budget: discord.js's per-process limiter alone). */
  private async takeSlot(): Promise<void> {
    const budget = this.options.budget;
    if (!budget) return;
    for (;;) {
      const wait = await budget.take().catch((error: unknown) => {
        throw DeliveryError.transient(
          'request_budget',
          `the shared request budget is unreadable: ${String(error)}`,
        );
      });
      if (wait <= 0) return;
      if (wait > MAX_INLINE_WAIT_MS)
        throw DeliveryError.rateLimited(
          wait,
          "Discord's invalid-request budget is nearly spent: requests are held",
          'global',
        );
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private async noteInvalid(method: string, path: string, status: number): Promise<void> {
    try {
      const report = await this.options.budget?.invalid();
      if (report?.crossed)
        this.options.logger?.warn(
          { count: report.count, limit: report.limit, method, path, status },
          `Discord invalid requests (401/403/429): ${report.count} in 10 minutes; ${CROSSED[report.crossed]}`,
        );
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'could not count an invalid Discord request');
    }
  }
}

/**
 * REST options for a client whose failures the queue handles: no retries of its own and every 429 rejected
 * at once, so the delivery queue alone owns retries and waits (a library retry would hide the wait).
 */
function queueOwnedRestOptions(options: DiscordClientOptions): Partial<RESTOptions> {
  return {
    // discord.js appends `/v10`: a trailing slash in DISCORD_API_URL would make `…/api//v10`.
    api: options.apiUrl.replace(/\/+$/, ''),
    retries: 0,
    rejectOnRateLimit: () => true,
    globalRequestsPerSecond: options.requestsPerSecond ?? 50,
    timeout: options.timeoutMs ?? 15_000,
    ...(options.makeRequest ? { makeRequest: options.makeRequest } : {}),
  };
}

/** 401, 403 and 429 count toward Discord's invalid-request limit, except 429s of scope `shared`. */
export function isInvalidAnswer(status: number, scope: string | null): boolean {
  if (status === 401 || status === 403) return true;
  return status === 429 && scope !== 'shared';
}
