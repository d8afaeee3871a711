import type { RESTOptions } from 'discord.js';
import type { Rng } from './rng.js';
import type { SimAnswer, SimPlatforms } from './platform.js';

// The transports under the real clients: discord.js's REST `makeRequest` and Slack WebClient's `fetch`, both
// answering from the in-memory platforms after a virtual network delay. A worker process that was killed
// sends nothing more and hears no answer (its calls never settle, as in a dead process).

/** One worker process's view of the network. */
export interface Wire {
  platforms: SimPlatforms;
  rng: Rng;
  alive(): boolean;
}

const never = new Promise<never>(() => undefined);

/** Delivers `answer` after a network delay, unless the process died meanwhile. */
function afterDelay<T>(wire: Wire, make: () => T): Promise<T> {
  const ms = wire.rng.int(20, 250);
  return new Promise((resolve) => setTimeout(() => wire.alive() && resolve(make()), ms));
}

function abortOn(signal: AbortSignal | null | undefined, reject: (error: unknown) => void): void {
  if (!signal) return;
  if (signal.aborted) reject(signal.reason ?? new DOMException('This operation was aborted', 'AbortError'));
  signal.addEventListener('abort', () =>
    reject(signal.reason ?? new DOMException('This operation was aborted', 'AbortError')),
  );
}

function bodyText(body: unknown): string {
  if (body === null || body === undefined) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return String(body);
}

/** discord.js REST's transport (`makeRequest`): undici's response shape, with the client's own abort. */
export function discordTransport(wire: Wire): NonNullable<RESTOptions['makeRequest']> {
  return async (url, init) => {
    if (!wire.alive()) return never;
    const parsed = new URL(url);
    const path = decodeURIComponent(parsed.pathname).replace(/^\/api\/v\d+/, '');
    const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
    const text = bodyText(init.body);
    const answer = wire.platforms.discord(
      init.method ?? 'GET',
      path,
      parsed.searchParams,
      text ? JSON.parse(text) : null,
      (headers.get('authorization') ?? '').startsWith('Bot '),
    );
    return new Promise((resolve, reject) => {
      abortOn(init.signal as AbortSignal | undefined, reject);
      if (answer.lost) return;
      void afterDelay(wire, () => toResponse(answer)).then((response) => resolve(response as never));
    });
  };
}

function toResponse(answer: Exclude<SimAnswer, { lost: true }>): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/**
 * Slack WebClient's transport (`fetch`). The client times a request out with `AbortSignal.timeout`, which
 * runs on real time; a lost answer here fails the same way (`TimeoutError`) after `timeoutMs` of virtual time.
 */
export function slackTransport(wire: Wire, timeoutMs: number): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    if (!wire.alive()) return never;
    const url = new URL(String(input));
    const method = url.pathname.split('/').pop() ?? '';
    const params = new URLSearchParams(bodyText(init?.body));
    const auth = new Headers(init?.headers).get('authorization');
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : params.get('token');
    const answer = wire.platforms.slack(method, params, token);
    if (answer.lost) {
      return new Promise((_resolve, reject) =>
        setTimeout(
          () =>
            wire.alive() &&
            reject(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
          timeoutMs,
        ),
      );
    }
    return afterDelay(wire, () => toResponse(answer));
  }) as typeof fetch;
}
