import type { IncomingMessage, ServerResponse } from 'node:http';
import { KeyedWindows, nowMs } from './fixed-window.js';
import { readBody, StatsRecorder } from './platform-stats.js';

/**
 * `chat.postMessage` allows about one message per second per channel, "while also maintaining a
 * workspace-wide limit" Slack does not publish; above either Slack answers HTTP 429 with `Retry-After` in
 * seconds. https://docs.slack.dev/apis/web-api/rate-limits. The fake's workspace limit is psf-bot's
 * default budget (SLACK_WORKSPACE_RATE=20), counted in fixed one-second windows.
 */
export const SLACK_LIMITS = { perChannel: 1, perWorkspace: 20, windowMs: 1_000 } as const;

/**
 * How long the fake takes to answer `chat.postMessage`: Slack's API answers in about 100–300 ms from most
 * places; 50 ms is the fast end (a host near Slack). Without it, a worker would never wait on the network
 * and the figures would measure only this machine's CPU.
 */
export const SLACK_LATENCY_MS = 50;

/** The bot token of a bench workspace: the team id is its last part. */
export function benchSlackToken(teamId: string): string {
  return `xoxb-bench-${teamId}`;
}

/**
 * A Slack Web API enforcing one `chat.postMessage` per second per channel (strictly: a second must pass
 * since the last accepted message) and 20 per one-second window per workspace, answering `auth.test` for any
 * bench token. Counts what it accepts.
 */
export class LimitedSlack {
  readonly recorder = new StatsRecorder();
  private readonly channels = new KeyedWindows(SLACK_LIMITS.perChannel, SLACK_LIMITS.windowMs);
  private readonly workspaces = new KeyedWindows(SLACK_LIMITS.perWorkspace, SLACK_LIMITS.windowMs);
  private nextTs = 1;

  reset(): void {
    this.recorder.reset();
    this.channels.clear();
    this.workspaces.clear();
  }

  /** The node:http listener for `/api/<method>`. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const now = nowMs();
    this.recorder.stats.requests += 1;
    const method = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/api\//, '');
    const params = parseParams(raw, req.headers['content-type']);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? params.token;
    const team = token?.startsWith('xoxb-bench-') ? token.slice('xoxb-bench-'.length) : undefined;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (!team) return send(200, { ok: false, error: token ? 'invalid_auth' : 'not_authed' });
    if (method === 'auth.test') {
      return send(200, {
        ok: true,
        team_id: team,
        team: team,
        user_id: 'UBENCH',
        bot_id: 'BBENCH',
        url: 'x',
      });
    }
    if (method !== 'chat.postMessage') return send(200, { ok: false, error: 'unknown_method' });
    const channel = `${team}/${params.channel ?? ''}`;
    const workspace = this.workspaces.get(team);
    // A refused message takes no slot of either limit.
    const wait =
      workspace.remaining(now) > 0 ? this.channels.get(channel).take(now) : workspace.resetAfter(now);
    if (wait === 0) workspace.take(now);
    if (wait > 0) {
      this.recorder.stats.rateLimited += 1;
      const retryAfter = String(Math.max(1, Math.ceil(wait / 1000)));
      return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': retryAfter });
    }
    this.recorder.accept(channel, params.text ?? '', now);
    await new Promise((resolve) => setTimeout(resolve, SLACK_LATENCY_MS));
    const ts = `1700000000.${String(this.nextTs++).padStart(6, '0')}`;
    return send(200, { ok: true, channel: params.channel, ts });
  }
}

function parseParams(raw: string, type: string | undefined): Record<string, string> {
  if (type?.includes('json')) {
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, String(value)]));
  }
  return Object.fromEntries(new URLSearchParams(raw));
}
