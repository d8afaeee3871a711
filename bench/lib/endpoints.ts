import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../fakes/platform-stats.js';
import { slackHeaders, type DiscordSigner } from './signing.js';

/** Catches `response_url` POSTs in this process, so arrival is timed on the same clock as the send. */
export interface ResponseCatcher {
  url(id: string): string;
  /** Resolves with `performance.now()` when the body for `id` has fully arrived. */
  arrival(id: string, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

/** Starts a response_url catcher on 127.0.0.1, port 0. */
export async function startCatcher(): Promise<ResponseCatcher> {
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  const server: Server = createServer((req, res) => {
    void readBody(req).then(() => {
      const at = performance.now();
      const id = decodeURIComponent((req.url ?? '').replace(/^\/respond\//, ''));
      const resolve = waiting.get(id);
      if (resolve) resolve(at);
      else arrived.set(id, at);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (id) => `${origin}/respond/${encodeURIComponent(id)}`,
    arrival(id, timeoutMs) {
      const seen = arrived.get(id);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no response_url POST for ${id}`)), timeoutMs);
        waiting.set(id, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The lookups users send, in turn: `latest`, `tag`, `search`. */
export const LOOKUP_TEXTS = ['latest 5', 'tag grants', 'search python packaging'] as const;

/** One signed `/psf` slash command to Bolt's receiver, timed until its answer reaches `response_url`. */
export async function timeSlackCommand(
  endpoint: string,
  signingSecret: string,
  catcher: ResponseCatcher,
  id: string,
  text: string,
): Promise<number> {
  const body = new URLSearchParams({
    token: 'deprecated',
    command: '/psf',
    text,
    team_id: 'T0SERVICE',
    team_domain: 'bench',
    channel_id: 'C0SERVICE',
    channel_name: 'general',
    user_id: 'U0MEMBER',
    user_name: 'member',
    api_app_id: 'A0BENCH',
    is_enterprise_install: 'false',
    trigger_id: '1.2.3',
    response_url: catcher.url(id),
  }).toString();
  const started = performance.now();
  const answer = fetch(endpoint, { method: 'POST', headers: slackHeaders(signingSecret, body), body });
  const response = await answer;
  if (response.status !== 200) throw new Error(`Slack endpoint answered ${response.status}`);
  await response.arrayBuffer();
  return (await catcher.arrival(id, 10_000)) - started;
}

/** The options of a `/psf` interaction for one lookup text. */
function interactionOptions(text: string): unknown[] {
  const [name, ...rest] = text.split(' ');
  const value = rest.join(' ');
  const leaf =
    name === 'latest'
      ? [{ name: 'count', type: 4, value: Number(value) }]
      : [{ name: name === 'tag' ? 'tag' : 'query', type: 3, value }];
  return [{ type: 1, name, options: leaf }];
}

/** One signed `/psf` interaction to the HTTP interactions endpoint, timed until the HTTP response is read. */
export async function timeDiscordInteraction(
  endpoint: string,
  signer: DiscordSigner,
  n: number,
  text: string,
): Promise<number> {
  const body = JSON.stringify({
    id: String(800_000_000_000_000_000n + BigInt(n)),
    application_id: '900000000000000002',
    type: 2,
    token: `bench-interaction-${n}`,
    version: 1,
    guild_id: '700000000000000001',
    channel_id: '700000000000000010',
    channel: { id: '700000000000000010', type: 0 },
    member: { user: { id: '700000000000000100', username: 'bench' }, permissions: '2048' },
    data: { id: '900000000000000050', name: 'psf', type: 1, options: interactionOptions(text) },
  });
  const started = performance.now();
  const response = await fetch(endpoint, { method: 'POST', headers: signer.headers(body), body });
  const answer = (await response.json()) as { type?: number };
  const took = performance.now() - started;
  if (response.status !== 200 || answer.type !== 4) {
    throw new Error(`Discord endpoint answered ${response.status} ${JSON.stringify(answer).slice(0, 200)}`);
  }
  return took;
}
