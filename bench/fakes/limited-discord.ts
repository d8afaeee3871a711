import type { IncomingMessage, ServerResponse } from 'node:http';
import { KeyedWindows, nowMs } from './fixed-window.js';
import { readBody, StatsRecorder } from './platform-stats.js';

/**
 * Discord's limits for a bot token: 50 requests per second across every route (global), and on
 * `POST /channels/{id}/messages` 5 messages per 5 s per channel (the bucket the API reports today).
 * https://discord.com/developers/docs/topics/rate-limits
 */
export const DISCORD_LIMITS = { globalPerSecond: 50, channelMessages: 5, channelWindowMs: 5_000 } as const;

/**
 * The bench's hub: an announcement channel (type 5) that 10,000 channels of other servers follow. A publish
 * there is one request of the bot; Discord makes the 10,000 copies itself (counted, not stored).
 */
export const BENCH_HUB = { channelId: '780000000000000001', followers: 10_000 } as const;

const API_PREFIX = '/api/v10';
const MESSAGE_BUCKET = 'bench-channel-messages';

type Answer = { status: number; headers?: Record<string, string>; body?: unknown };

/**
 * A Discord REST API that enforces the real limits with 429s as Discord sends them: `Retry-After` in
 * whole seconds, `X-RateLimit-Global`/`-Scope`, and a JSON body with the exact `retry_after`. It creates
 * messages (honouring `enforce_nonce`) and counts what a benchmark needs; it renders nothing.
 */
export class LimitedDiscord {
  readonly recorder = new StatsRecorder();
  private readonly global = new KeyedWindows(DISCORD_LIMITS.globalPerSecond, 1_000);
  private readonly channels = new KeyedWindows(
    DISCORD_LIMITS.channelMessages,
    DISCORD_LIMITS.channelWindowMs,
  );
  private readonly nonces = new Map<string, Record<string, unknown>>();
  private readonly published = new Set<string>();
  private nextId = 1_400_000_000_000_000_000n;

  reset(): void {
    this.recorder.reset();
    this.global.clear();
    this.channels.clear();
    this.nonces.clear();
    this.published.clear();
  }

  /** The node:http listener for everything under `/api`. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const answer = this.answer(req, raw);
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  }

  private answer(req: IncomingMessage, raw: string): Answer {
    const now = nowMs();
    this.recorder.stats.requests += 1;
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(API_PREFIX, '');
    const token = /^Bot (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    // Interaction callbacks and webhooks are not bound by the bot's global limit.
    if (/^\/(interactions|webhooks)\//.test(path)) return req.method === 'POST' ? { status: 204 } : ok({});
    if (!token) return { status: 401, body: { code: 0, message: '401: Unauthorized' } };
    const globalWait = this.global.get(token).take(now);
    if (globalWait > 0) return this.tooMany(globalWait, true);
    const channel = /^\/channels\/(\d+)\/messages$/.exec(path)?.[1];
    if (channel && req.method === 'POST') return this.createMessage(channel, raw, now);
    const got = /^\/channels\/(\d+)$/.exec(path)?.[1];
    if (got && req.method === 'GET')
      return ok({ id: got, type: got === BENCH_HUB.channelId ? 5 : 0, guild_id: '1', name: 'news' });
    const published = /^\/channels\/(\d+)\/messages\/(\d+)\/crosspost$/.exec(path);
    if (published && req.method === 'POST') return this.crosspost(published[1]!, published[2]!);
    return { status: 404, body: { code: 0, message: `404: Not Found (${req.method} ${path})` } };
  }

  private createMessage(channel: string, raw: string, now: number): Answer {
    const window = this.channels.get(channel);
    const wait = window.take(now);
    if (wait > 0) return this.tooMany(wait, false);
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    const headers = {
      'x-ratelimit-limit': String(window.limit),
      'x-ratelimit-remaining': String(window.remaining(now)),
      'x-ratelimit-reset-after': (window.resetAfter(now) / 1000).toFixed(3),
      'x-ratelimit-reset': ((now + window.resetAfter(now)) / 1000).toFixed(3),
      'x-ratelimit-bucket': MESSAGE_BUCKET,
    };
    const nonce = typeof body.nonce === 'string' ? body.nonce : undefined;
    // enforce_nonce: the same nonce from the same author returns the first message and creates none.
    const earlier = nonce && body.enforce_nonce === true ? this.nonces.get(nonce) : undefined;
    if (earlier) {
      this.recorder.stats.nonceReplays += 1;
      return { status: 200, headers, body: earlier };
    }
    const message = { id: this.snowflake(), type: 0, channel_id: channel, content: '', nonce };
    if (nonce) this.nonces.set(nonce, message);
    const embeds = Array.isArray(body.embeds) ? (body.embeds as { url?: string; title?: string }[]) : [];
    this.recorder.accept(channel, embeds[0]?.url ?? embeds[0]?.title ?? String(body.content ?? ''), now);
    return { status: 200, headers, body: message };
  }

  /** A publish in the hub: once per message, and Discord copies it to every follower. */
  private crosspost(channel: string, messageId: string): Answer {
    if (channel !== BENCH_HUB.channelId)
      return { status: 400, body: { code: 50024, message: 'Cannot execute action on this channel type' } };
    if (this.published.has(messageId))
      return { status: 400, body: { code: 40033, message: 'This message has already been crossposted.' } };
    this.published.add(messageId);
    const stats = this.recorder.stats;
    stats.crossposts = (stats.crossposts ?? 0) + 1;
    stats.followerCopies = (stats.followerCopies ?? 0) + BENCH_HUB.followers;
    return ok({ id: messageId, type: 0, channel_id: channel, content: '', flags: 1 });
  }

  private tooMany(waitMs: number, global: boolean): Answer {
    this.recorder.stats.rateLimited += 1;
    if (global) this.recorder.stats.globalRateLimited += 1;
    const seconds = waitMs / 1000;
    const headers: Record<string, string> = {
      'retry-after': String(Math.max(1, Math.ceil(seconds))),
      'x-ratelimit-scope': global ? 'global' : 'user',
    };
    if (global) headers['x-ratelimit-global'] = 'true';
    else Object.assign(headers, { 'x-ratelimit-bucket': MESSAGE_BUCKET, 'x-ratelimit-remaining': '0' });
    const body = { message: 'You are being rate limited.', retry_after: Number(seconds.toFixed(3)), global };
    return { status: 429, headers, body };
  }

  private snowflake(): string {
    this.nextId += 1n;
    return this.nextId.toString();
  }
}

function ok(body: unknown): Answer {
  return { status: 200, body };
}
