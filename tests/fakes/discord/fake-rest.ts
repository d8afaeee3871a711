import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { FakeFollows, type FakeOverwrite } from './fake-follows.js';
import { FakeCrossposts } from './fake-crossposts.js';
import { FakeGuilds } from './fake-guilds.js';
import { FakeThreads } from './fake-threads.js';
import { FOLLOW_OPERATION, MESSAGE_OPERATIONS, openApiProblems, type DiscordOperation } from './openapi.js';
import { IS_COMPONENTS_V2, messageBodyProblems } from './validate.js';
import {
  BOT_USER,
  FAKE_APPLICATION_ID,
  error,
  ok,
  parseJson,
  readBody,
  wire,
  type CuedResponse,
  type FakeMessage,
} from './wire.js';

export { BOT_USER, error, type CuedResponse, type FakeMessage } from './wire.js';

/** One request the fake received, path percent-decoded (discord.js sends `@original` as `%40original`). */
export interface RecordedRequest {
  method: string;
  /** Decoded path without the `/api/v10` prefix, e.g. `/channels/1/messages`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** `Date.now()` when it arrived. */
  at: number;
}

interface Cue {
  method: string;
  path: RegExp;
  response: CuedResponse;
  remaining: number;
}

const API_PREFIX = '/api/v10';
/** Discord's invalid-request window: https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans */
const INVALID_WINDOW_MS = 10 * 60_000;

function countsAsInvalid(answer: CuedResponse): boolean {
  if (answer.status === 401 || answer.status === 403) return true;
  const scope = Object.entries(answer.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'x-ratelimit-scope',
  );
  return answer.status === 429 && scope?.[1] !== 'shared';
}

/** Discord's REST API as far as psf-bot uses it; state lives in memory, every request is recorded. */
export class FakeDiscordRest {
  readonly requests: RecordedRequest[] = [];
  /** Channel messages by channel id, in creation order. */
  readonly messages = new Map<string, FakeMessage[]>();
  /** Messages sent to interaction webhooks: `@original` edits and followups, by interaction token. */
  readonly interactionMessages = new Map<string, FakeMessage[]>();
  /** Channel types (0 text, 5 announcement); unknown channels answer 404 10003 on `GET /channels/:id`. */
  readonly channelTypes = new Map<string, number>();
  /**
   * Servers' roles and the bot's member roles (`GET /guilds/{id}/roles`, `GET /guilds/{id}/members/{bot}`); a
   * server not here is answered 404 Unknown Guild, as for a bot not in it.
   */
  readonly guildRoles = new Map<
    string,
    { roles: { id: string; name: string; permissions: string; mentionable: boolean }[]; botRoles: string[] }
  >();
  readonly commands = new Map<string, unknown[]>();
  /**
   * Channel follows (`POST /channels/{hub}/followers`): by hub channel id, each following channel with the
   * webhook Discord made in it. A crosspost in the hub reaches these channels.
   */
  readonly followers = new Map<string, Map<string, { webhookId: string; guildId?: string }>>();
  /**
   * Channels' permission overwrites (shown by `GET /channels/{id}`), which with `guildRoles` decide the bot's
   * permissions in a channel (Manage Webhooks for follows).
   */
  readonly overwrites = new Map<string, FakeOverwrite[]>();
  /** Channel follows and the webhooks they made (`POST /channels/{hub}/followers`, `DELETE /webhooks/{id}`). */
  readonly follows: FakeFollows = new FakeFollows({
    channelTypes: this.channelTypes,
    followers: this.followers,
    guildRoles: this.guildRoles,
    overwrites: this.overwrites,
    guildOf: (channelId) => this.guilds.guild(channelId),
    removed: (guildId) => this.guilds.removed.has(guildId),
    snowflake: () => this.snowflake(),
  });
  /** Forum channels (`addForum`), their posts, and threads opened on messages. */
  readonly threads = new FakeThreads({
    messages: this.messages,
    channelTypes: this.channelTypes,
    newMessage: (channelId, body, id) => this.message(channelId, body, id),
    snowflake: () => this.snowflake(),
  });
  /** Servers the bot is in (`guilds.add`), and servers that removed it (`guilds.remove`). */
  readonly guilds = new FakeGuilds(this.channelTypes);
  /** Publishes in announcement channels: counted, limited per hour, copied to the channels following them. */
  readonly crossposts = new FakeCrossposts({
    messages: this.messages,
    channelTypes: this.channelTypes,
    followers: this.followers,
    guildOf: (channelId) => this.guilds.guild(channelId),
    snowflake: () => this.snowflake(),
  });
  /** Message edits (`PATCH /channels/{id}/messages/{id}`), in order. */
  readonly edits: { channelId: string; messageId: string; body: Record<string, unknown> }[] = [];
  /** The application's public key (hex), as `GET /applications/@me` reports it: set it to the signer's key. */
  verifyKey = '00'.repeat(32);
  /** How long `enforce_nonce` dedupes ("the past few minutes" on Discord); tests shorten it. */
  nonceWindowMs = 180_000;
  /** When each message was created (epoch ms), by id. */
  readonly createdAt = new Map<string, number>();
  /**
   * When each invalid answer went out (epoch ms): 401, 403 and 429 except 429s of scope `shared`, as Discord
   * counts them toward its limit of 10,000 per 10 minutes per IP (PLATFORM-NOTES §1.4).
   */
  readonly invalidAnswers: number[] = [];
  /**
   * Whose token the fake answers for: `GET /users/@me` gives `userId`, `GET /applications/@me` gives
   * `applicationId`. Set both to other ids to play another working bot's token.
   */
  bot = { userId: BOT_USER.id, applicationId: FAKE_APPLICATION_ID };
  /** Answers a request before anything else when it returns a response (fault injection: outages, 5xx, 429s). */
  intercept: ((request: RecordedRequest) => CuedResponse | null) | null = null;
  private readonly cues: Cue[] = [];
  private readonly waiters: {
    match: (request: RecordedRequest) => boolean;
    resolve: (request: RecordedRequest) => void;
  }[] = [];
  private nextId = 0n;

  constructor(private readonly gatewayUrl: () => string) {}

  /** Plays `response` for the next `times` requests matching method and path (path without `/api/v10`). */
  cue(method: string, path: RegExp, response: CuedResponse, times = 1): void {
    this.cues.push({ method: method.toUpperCase(), path, response, remaining: times });
  }

  /** Resolves with the first request (already received or future) that matches. */
  waitForRequest(match: (request: RecordedRequest) => boolean): Promise<RecordedRequest> {
    const seen = this.requests.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Invalid answers (401/403/429, not `shared` 429s) in the `windowMs` before now: Discord's count. */
  invalidCount(windowMs = INVALID_WINDOW_MS): number {
    const since = Date.now() - windowMs;
    return this.invalidAnswers.filter((at) => at > since).length;
  }

  /** Requests with this method whose path matches. */
  find(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter(
      (request) => request.method === method.toUpperCase() && path.test(request.path),
    );
  }

  /** The node:http request listener. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.discord');
    const raw = await readBody(req);
    const full = decodeURIComponent(url.pathname);
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: full.startsWith(API_PREFIX) ? full.slice(API_PREFIX.length) : full,
      query: url.searchParams,
      headers: req.headers,
      body: raw.length > 0 ? parseJson(raw, req.headers['content-type']) : null,
      at: Date.now(),
    };
    this.requests.push(request);
    for (const waiter of this.waiters.filter((w) => w.match(request))) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(request);
    }
    const cued = this.intercept?.(request) ?? this.takeCue(request);
    if (cued?.lose) {
      this.route(request);
      res.socket?.destroy();
      return;
    }
    const answer = cued ?? this.guilds.refuse(request.path) ?? this.invalid(request) ?? this.route(request);
    if (countsAsInvalid(answer)) this.invalidAnswers.push(Date.now());
    // A 204 has no body, and Discord sends it without a JSON content type (discord.js would try to parse it).
    const type = answer.status === 204 ? {} : { 'content-type': 'application/json' };
    res.writeHead(answer.status, { ...type, ...answer.headers });
    if (answer.raw !== undefined) res.end(answer.raw);
    else
      res.end(answer.status === 204 || answer.body === undefined ? undefined : JSON.stringify(answer.body));
  }

  /** A server's roles, or (with `memberId`) the bot's member object; only the bot is a known member. */
  private guildRead(guildId: string, memberId: string | undefined): CuedResponse {
    const guild = this.guildRoles.get(guildId);
    if (!guild) return error(404, 10004, 'Unknown Guild');
    if (memberId === undefined) return ok(guild.roles);
    if (memberId !== BOT_USER.id) return error(404, 10007, 'Unknown Member');
    return ok({
      user: BOT_USER,
      roles: guild.botRoles,
      joined_at: '2024-01-01T00:00:00.000Z',
      deaf: false,
      mute: false,
      flags: 0,
    });
  }

  private takeCue(request: RecordedRequest): CuedResponse | null {
    const cue = this.cues.find(
      (c) => c.method === request.method && c.path.test(request.path) && c.remaining > 0,
    );
    if (!cue) return null;
    cue.remaining -= 1;
    if (cue.remaining === 0) this.cues.splice(this.cues.indexOf(cue), 1);
    return cue.response;
  }

  /** Discord refuses bodies over its limits with 400 50035; so does the fake, so tests catch them. */
  private invalid(request: RecordedRequest): CuedResponse | null {
    const body = request.body as { type?: number; data?: unknown } | null;
    const message = /\/messages(\/[^/]+)?$|^\/webhooks\/\d+\/[^/]+$/.test(request.path)
      ? body
      : /\/callback$/.test(request.path) && body?.type === 4
        ? body.data
        : undefined;
    const operation = describedOperation(request);
    const described = operation ? openApiProblems(operation, request.body) : [];
    if (described.length > 0)
      return { status: 400, body: { code: 50035, message: 'Invalid Form Body', errors: described } };
    const forumMessage =
      operation === MESSAGE_OPERATIONS.forumPost ? (body as { message?: unknown })?.message : undefined;
    if (forumMessage !== undefined) {
      const problems = messageBodyProblems(forumMessage);
      if (problems.length > 0)
        return { status: 400, body: { code: 50035, message: 'Invalid Form Body', errors: problems } };
    }
    if (message === undefined || (request.method !== 'POST' && request.method !== 'PATCH')) return null;
    const problems = messageBodyProblems(message);
    return problems.length === 0
      ? null
      : { status: 400, body: { code: 50035, message: 'Invalid Form Body', errors: problems } };
  }

  private route(request: RecordedRequest): CuedResponse {
    const { method, path } = request;
    const body = (request.body ?? {}) as Record<string, unknown>;
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/gateway/bot') {
      return ok({
        url: this.gatewayUrl(),
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      });
    }
    if (method === 'GET' && path === '/users/@me') return ok({ ...BOT_USER, id: this.bot.userId });
    if (method === 'GET' && path === '/users/@me/guilds') return this.guilds.list(request.query);
    // https://discord.com/developers/docs/resources/application#get-current-application
    if (method === 'GET' && path === '/applications/@me') {
      return ok({
        id: this.bot.applicationId,
        name: 'psf-bot',
        verify_key: this.verifyKey,
        bot: { ...BOT_USER, id: this.bot.userId },
        flags: 0,
      });
    }
    if ((m = /^\/channels\/(\d+)\/messages$/.exec(path)) && method === 'POST')
      return ok(this.createMessage(m[1]!, body));
    if ((m = /^\/channels\/(\d+)\/messages$/.exec(path)) && method === 'GET')
      return ok(this.listMessages(m[1]!, request.query));
    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)\/crosspost$/.exec(path)) && method === 'POST')
      return this.crossposts.crosspost(m[1]!, m[2]!);
    if ((m = /^\/guilds\/(\d+)\/(roles|members\/(\d+))$/.exec(path)) && method === 'GET')
      return this.guildRead(m[1]!, m[3]);
    if (/^\/guilds\/\d+\/threads\/active$/.test(path) && method === 'GET')
      return this.threads.activeThreads();
    if ((m = /^\/channels\/(\d+)\/threads\/archived\/public$/.exec(path)) && method === 'GET')
      return this.threads.archivedThreads(m[1]!, request.query);
    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path)) && method === 'GET') {
      const message = this.messages.get(m[1]!)?.find((item) => item.id === m![2]);
      return message ? ok(wire(message)) : error(404, 10008, 'Unknown Message');
    }
    if ((m = /^\/channels\/(\d+)\/threads$/.exec(path)) && method === 'POST')
      return this.threads.createForumPost(m[1]!, body);
    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(path)) && method === 'POST')
      return this.threads.createFromMessage(m[1]!, m[2]!, body);
    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path)) && method === 'PATCH')
      return this.editMessage(m[1]!, m[2]!, body);
    if ((m = /^\/channels\/(\d+)$/.exec(path)) && method === 'GET') {
      const modelled = this.threads.channel(m[1]!);
      if (modelled) return ok(modelled);
      const type = this.channelTypes.get(m[1]!);
      return type === undefined
        ? error(404, 10003, 'Unknown Channel')
        : ok({
            id: m[1],
            type,
            guild_id: this.guilds.guild(m[1]!) ?? '1',
            name: 'news',
            ...(this.overwrites.has(m[1]!) ? { permission_overwrites: this.overwrites.get(m[1]!) } : {}),
          });
    }
    if ((m = /^\/channels\/(\d+)\/followers$/.exec(path)) && method === 'POST')
      return this.follows.follow(m[1]!, body);
    if ((m = /^\/webhooks\/(\d+)$/.exec(path)) && method === 'DELETE')
      return this.follows.deleteWebhook(m[1]!);
    if (/^\/interactions\/\d+\/[^/]+\/callback$/.test(path) && method === 'POST') return { status: 204 };
    if ((m = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/.exec(path)))
      return this.webhook(method, m[2]!, m[3], body);
    if ((m = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path))) {
      const key = m[2] ? `guild:${m[2]}` : 'global';
      if (method === 'PUT') {
        const list = (Array.isArray(request.body) ? request.body : []) as Record<string, unknown>[];
        const stored = list.map((command) => ({
          ...command,
          id: this.snowflake(),
          application_id: m![1],
          version: '1',
        }));
        this.commands.set(key, stored);
        return ok(stored);
      }
      if (method === 'GET') return ok(this.commands.get(key) ?? []);
    }
    return error(404, 0, `404: Not Found (fake Discord has no ${method} ${path})`);
  }

  private createMessage(channelId: string, body: Record<string, unknown>): unknown {
    const list = this.messages.get(channelId) ?? [];
    this.messages.set(channelId, list);
    // enforce_nonce: the same author and nonce within a few minutes returns the first message, creating none.
    if (body.enforce_nonce === true && body.nonce !== undefined) {
      const seen = [...this.messages.values()]
        .flat()
        .find(
          (message) =>
            message.nonce === body.nonce &&
            Date.now() - (this.createdAt.get(message.id) ?? 0) < this.nonceWindowMs,
        );
      if (seen) return wire(seen);
    }
    const message = this.message(channelId, body);
    this.createdAt.set(message.id, Date.now());
    list.push(message);
    return wire(message);
  }

  /** `GET /channels/{id}/messages?after=&limit=`: the `limit` oldest after `after`, newest first. */
  private listMessages(channelId: string, query: URLSearchParams): unknown[] {
    const after = BigInt(query.get('after') ?? '0');
    const limit = Math.min(100, Number(query.get('limit') ?? '50'));
    return (this.messages.get(channelId) ?? [])
      .filter((message) => BigInt(message.id) > after)
      .slice(0, limit)
      .reverse()
      .map((message) => wire(message));
  }

  private webhook(
    method: string,
    token: string,
    messageId: string | undefined,
    body: Record<string, unknown>,
  ): CuedResponse {
    const list = this.interactionMessages.get(token) ?? [];
    this.interactionMessages.set(token, list);
    // https://discord.com/developers/docs/interactions/receiving-and-responding#get-original-interaction-response
    if (method === 'GET' && messageId) {
      const found = list.find(
        (item) => item.id === messageId || (messageId === '@original' && item.body.original),
      );
      return found ? ok(wire(found)) : error(404, 10008, 'Unknown Message');
    }
    if (method === 'POST' && !messageId) {
      const message = this.message('0', body);
      list.push(message);
      return ok(wire(message));
    }
    if (method === 'PATCH' && messageId) {
      const existing = list.find(
        (item) => item.id === messageId || (messageId === '@original' && item.body.original),
      );
      const message = existing ?? this.message('0', { ...body, original: messageId === '@original' });
      Object.assign(message, {
        body: { ...message.body, ...body },
        content: body.content ?? message.content,
        embeds: body.embeds ?? message.embeds,
      });
      if (!existing) list.push(message);
      return ok(wire(message));
    }
    return error(405, 0, 'Method Not Allowed');
  }

  /** Edits content, embeds and allowed mentions in place; an unknown message is 404 10008. */
  private editMessage(channelId: string, messageId: string, body: Record<string, unknown>): CuedResponse {
    const message = this.messages.get(channelId)?.find((item) => item.id === messageId);
    if (!message) return error(404, 10008, 'Unknown Message');
    const refused = componentsV2EditProblem(message.flags, body);
    if (refused) return error(400, 50035, `Invalid Form Body: ${refused}`);
    this.edits.push({ channelId, messageId, body });
    if (typeof body.flags === 'number') message.flags = body.flags;
    if (typeof body.content === 'string') message.content = body.content;
    if (Array.isArray(body.embeds)) message.embeds = body.embeds;
    message.body = { ...message.body, ...body };
    this.crossposts.edited(channelId, message);
    return ok(wire(message));
  }

  private message(channelId: string, body: Record<string, unknown>, id?: string): FakeMessage {
    return {
      id: id ?? this.snowflake(),
      channel_id: channelId,
      content: typeof body.content === 'string' ? body.content : '',
      embeds: Array.isArray(body.embeds) ? body.embeds : [],
      ...(typeof body.nonce === 'string' || typeof body.nonce === 'number' ? { nonce: body.nonce } : {}),
      flags: typeof body.flags === 'number' ? body.flags : 0,
      crossposted: false,
      body,
    };
  }

  /** A fresh id, time-based like Discord's (ms since 2015 << 22), so `?after=` a time works; strictly increasing. */
  snowflake(): string {
    const now = (BigInt(Date.now()) - 1_420_070_400_000n) << 22n;
    this.nextId = now > this.nextId ? now : this.nextId + 1n;
    return this.nextId.toString();
  }
}

/** The channel-message operations whose bodies the fake checks against Discord's OpenAPI description. */
function describedOperation(request: RecordedRequest): DiscordOperation | null {
  if (request.method === 'POST' && /^\/channels\/\d+\/messages$/.test(request.path))
    return MESSAGE_OPERATIONS.create;
  if (request.method === 'PATCH' && /^\/channels\/\d+\/messages\/\d+$/.test(request.path))
    return MESSAGE_OPERATIONS.edit;
  if (request.method === 'POST' && /^\/channels\/\d+\/threads$/.test(request.path))
    return MESSAGE_OPERATIONS.forumPost;
  if (request.method === 'POST' && /^\/channels\/\d+\/followers$/.test(request.path)) return FOLLOW_OPERATION;
  return null;
}

/**
 * A Components V2 message keeps its flag: an edit that clears it, or sends `content` or `embeds` to it, is
 * refused. "Once a message has been sent with this flag, it can't be removed from that message."
 * https://discord.com/developers/docs/components/reference
 */
function componentsV2EditProblem(flags: number, body: Record<string, unknown>): string | null {
  if ((flags & IS_COMPONENTS_V2) === 0) return null;
  if (typeof body.flags === 'number' && (body.flags & IS_COMPONENTS_V2) === 0)
    return 'flags: IS_COMPONENTS_V2 cannot be removed';
  if (typeof body.content === 'string' && body.content.length > 0)
    return 'content cannot be set on a Components V2 message';
  if (Array.isArray(body.embeds) && body.embeds.length > 0)
    return 'embeds cannot be set on a Components V2 message';
  return null;
}
