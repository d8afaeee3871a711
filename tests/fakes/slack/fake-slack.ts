import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  FakeBotToken,
  FakeCall,
  FakeChannel,
  FakeCue,
  FakeMessage,
  FakeResponse,
  FakeUser,
} from './fake-types.js';
import { blockKitProblems, homeViewProblems, type SlackView } from './block-kit.js';
import { FakeSocketMode } from './socket-mode.js';
import { historyPage, HistoryBudget, type HistoryLimits } from './history.js';

export type {
  FakeBotToken,
  FakeCall,
  FakeChannel,
  FakeCue,
  FakeMessage,
  FakeResponse,
  FakeUser,
} from './fake-types.js';

type Json = Record<string, unknown>;

/**
 * A local Slack: the Web API over HTTP (form-urlencoded POSTs to `/api/<method>`, answers with `ok:true`
 * or `ok:false` at HTTP 200 like Slack does, or 429/5xx on cue), a `response_url` catcher at
 * `/respond/<id>`, and a Socket Mode WebSocket at `/socket`.
 */
export class FakeSlack {
  readonly tokens = new Map<string, FakeBotToken>();
  readonly users = new Map<string, FakeUser>();
  readonly channels = new Map<string, FakeChannel>();
  /** OAuth codes `oauth.v2.access` will exchange for a new bot token. */
  readonly oauthCodes = new Map<
    string,
    {
      teamId: string;
      teamName: string;
      botToken: string;
      botUserId: string;
      botId: string;
      scopes?: string[];
    }
  >();
  /** The app's OAuth credentials; `oauth.v2.access` refuses others with `invalid_client_id`/`bad_client_secret`. */
  oauthClient = { id: 'fake-client-id', secret: 'fake-client-secret' };
  readonly calls: FakeCall[] = [];
  readonly messages: FakeMessage[] = [];
  /** `chat.update` calls that changed a message, in order. */
  readonly updates: { channel: string; ts: string; params: Record<string, string> }[] = [];
  /**
   * What `usergroups.list` answers: the user groups of the calling token's workspace (`teamId`; none given:
   * every workspace's). Disabled ones (`date_delete` non-zero) only with `include_disabled`, as Slack does.
   */
  userGroups: { id: string; handle: string; name: string; teamId?: string; date_delete?: number }[] = [];
  readonly responses: FakeResponse[] = [];
  /** `conversations.history` calls answered with a page (not a 429 or an error), in order. */
  readonly historyPages: FakeCall[] = [];
  /** Home tabs published with `views.publish`, in order. */
  readonly views: { token: string | null; userId: string; view: SlackView }[] = [];
  readonly socketMode = new FakeSocketMode();
  private readonly cues = new Map<string, FakeCue[]>();
  /** Answers a call before anything else when it returns a cue (fault injection: outages, 5xx, lost answers). */
  intercept: ((call: FakeCall) => FakeCue | null) | null = null;
  private readonly holds = new Map<string, Promise<void>>();
  private readonly waiters: Array<() => void> = [];
  private server: Server | null = null;
  private nextTs = 1;
  private historyBudget: HistoryBudget | null = null;
  private historyLimits: HistoryLimits | null = null;
  url = '';

  /** Base URL for `slackApiUrl`. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** A `response_url` whose bodies land in `responses` under `id`. */
  responseUrl(id: string): string {
    return `${this.url}/respond/${id}`;
  }

  /** Makes the next call of `method` answer with the cue (queued in order). */
  cue(method: string, cue: FakeCue): void {
    this.cues.set(method, [...(this.cues.get(method) ?? []), cue]);
  }

  /** Holds every call of `method` unanswered until the returned release function is called. */
  hold(method: string): () => void {
    let release = () => undefined as void;
    this.holds.set(method, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.holds.delete(method);
      release();
    };
  }

  /**
   * Enforces Slack's history limits for apps outside the Marketplace on `conversations.history`, per
   * workspace (the token's team); `MARKETPLACE_LESS` with a shorter `windowMs` in tests. Null lifts them.
   */
  limitHistory(limits: HistoryLimits | null): void {
    this.historyLimits = limits;
    this.historyBudget = limits ? new HistoryBudget(limits) : null;
  }

  /** A person's message arriving in the channel (no metadata, a user, not the bot). */
  say(channel: string, text: string, user = 'UPERSON'): FakeMessage {
    const message: FakeMessage = {
      ts: this.newTs(),
      token: null,
      channel,
      text,
      blocks: [],
      params: {},
      user,
    };
    message.at = Date.now();
    this.messages.push(message);
    return message;
  }

  callsOf(method: string): FakeCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Resolves once `predicate` holds, re-checked after every request the fake handles. */
  async waitFor<T>(predicate: () => T | undefined | false): Promise<T> {
    for (;;) {
      const value = predicate();
      if (value) return value;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.socketMode.attach(this.server);
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.socketMode.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/respond/')) {
      this.responses.push({
        id: decodeURIComponent(path.slice('/respond/'.length)),
        body: JSON.parse(raw) as Json,
      });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else if (path.startsWith('/api/')) {
      const method = path.slice('/api/'.length);
      const params = Object.fromEntries(new URLSearchParams(raw));
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const call: FakeCall = { method, token: bearer ?? params.token ?? null, params };
      this.calls.push(call);
      const held = this.holds.get(method);
      if (held) {
        for (const wake of this.waiters.splice(0)) wake();
        await held;
      }
      this.answerApi(call, res);
    } else {
      res.writeHead(404).end();
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  private answerApi({ method, token, params }: FakeCall, res: ServerResponse): void {
    const limited =
      method === 'chat.postMessage' ? this.channels.get(params.channel ?? '')?.rateLimitedFor : undefined;
    const cue =
      this.intercept?.({ method, token, params }) ??
      (limited !== undefined ? { status: 429, retryAfter: limited } : this.cues.get(method)?.shift()) ??
      this.historyCue(method, token);
    if (cue && 'lose' in cue) {
      this.method(method, token, params);
      res.socket?.destroy();
      return;
    }
    if (cue && 'html' in cue && cue.html) {
      res
        .writeHead(cue.status, { 'content-type': 'text/html' })
        .end(`<html><body>${cue.status}</body></html>`);
      return;
    }
    if (cue && 'status' in cue) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if ('retryAfter' in cue && cue.retryAfter !== undefined)
        headers['retry-after'] = String(cue.retryAfter);
      res
        .writeHead(cue.status, headers)
        .end(JSON.stringify({ ok: false, error: cue.status === 429 ? 'ratelimited' : 'fatal_error' }));
      return;
    }
    const body = cue ? { ok: false, error: cue.error } : this.method(method, token, params);
    const scopes = token ? this.tokens.get(token)?.scopes : undefined;
    res
      .writeHead(200, {
        'content-type': 'application/json',
        ...(scopes ? { 'x-oauth-scopes': scopes.join(',') } : {}),
      })
      .end(JSON.stringify(body));
  }

  private method(method: string, token: string | null, params: Record<string, string>): Json {
    const bot = token ? this.tokens.get(token) : undefined;
    if (method === 'oauth.v2.access') return this.oauthAccess(params);
    if (method === 'apps.connections.open')
      return { ok: true, url: `${this.url.replace('http', 'ws')}/socket` };
    if (!bot) return { ok: false, error: token ? 'invalid_auth' : 'not_authed' };
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.test/',
          team: 'Fake',
          user: 'psf',
          team_id: bot.teamId,
          user_id: bot.botUserId,
          bot_id: bot.botId,
        };
      case 'chat.postMessage':
        return this.postMessage(token, params);
      case 'views.publish':
        return this.publishView(token, params);
      case 'chat.update':
        return this.updateMessage(params);
      case 'usergroups.list':
        return { ok: true, usergroups: this.userGroupsOf(bot.teamId, params.include_disabled === 'true') };
      case 'conversations.history':
        return this.history(params);
      case 'users.info': {
        const user = this.users.get(params.user ?? '');
        if (!user) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: {
            id: params.user,
            is_admin: Boolean(user.isAdmin),
            is_owner: Boolean(user.isOwner),
            is_primary_owner: Boolean(user.isPrimaryOwner),
          },
        };
      }
      case 'conversations.info': {
        const channel = this.channels.get(params.channel ?? '');
        if (!channel || (channel.isPrivate && !channel.isMember))
          return { ok: false, error: 'channel_not_found' };
        return {
          ok: true,
          channel: {
            id: params.channel,
            is_member: Boolean(channel.isMember),
            is_private: Boolean(channel.isPrivate),
            is_archived: Boolean(channel.isArchived),
          },
        };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private userGroupsOf(teamId: string, includeDisabled: boolean): Json[] {
    return this.userGroups
      .filter((group) => (group.teamId ?? teamId) === teamId)
      .filter((group) => includeDisabled || !group.date_delete)
      .map(({ teamId: _team, ...group }) => ({
        ...group,
        team_id: teamId,
        date_delete: group.date_delete ?? 0,
      }));
  }

  private postMessage(token: string | null, params: Record<string, string>): Json {
    const channelId = params.channel ?? '';
    const channel = this.channels.get(channelId);
    if (!channel) return { ok: false, error: 'channel_not_found' };
    if (channel.postError) return { ok: false, error: channel.postError };
    if (channel.isArchived) return { ok: false, error: 'is_archived' };
    const ts = this.newTs();
    const blocks = params.blocks ? (JSON.parse(params.blocks) as unknown[]) : [];
    const refused = invalidBlocks(params.text ?? '', blocks);
    if (refused) return refused;
    this.messages.push({
      ts,
      token,
      channel: channelId,
      text: params.text ?? '',
      blocks,
      params,
      at: Date.now(),
    });
    return { ok: true, channel: channelId, ts };
  }

  /** Like Slack, refuses a view breaking Block Kit's rules with `invalid_arguments` and the reasons. */
  private publishView(token: string | null, params: Record<string, string>): Json {
    if (!params.user_id) return { ok: false, error: 'invalid_arguments' };
    let view: SlackView;
    try {
      view = JSON.parse(params.view ?? '') as SlackView;
    } catch {
      return { ok: false, error: 'invalid_arguments' };
    }
    const problems = homeViewProblems(view);
    if (problems.length > 0)
      return { ok: false, error: 'invalid_arguments', response_metadata: { messages: problems } };
    this.views.push({ token, userId: params.user_id, view });
    return { ok: true, view: { id: `V${this.views.length}`, ...view } };
  }

  /**
   * `chat.update`: rewrites text and blocks of the message at `ts` in `channel`; never creates one.
   * https://docs.slack.dev/reference/methods/chat.update
   */
  private updateMessage(params: Record<string, string>): Json {
    const message = this.messages.find((item) => item.channel === params.channel && item.ts === params.ts);
    if (!message) return { ok: false, error: 'message_not_found' };
    if (params.blocks) {
      const refused = invalidBlocks(params.text ?? message.text, JSON.parse(params.blocks) as unknown[]);
      if (refused) return refused;
    }
    message.text = params.text ?? message.text;
    message.blocks = params.blocks ? (JSON.parse(params.blocks) as unknown[]) : message.blocks;
    message.params = { ...message.params, ...params };
    this.updates.push({ channel: message.channel, ts: message.ts, params });
    return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
  }

  /** Real-time seconds (so `oldest` and `latest` work), a counter for uniqueness and order. */
  private newTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(this.nextTs++).padStart(6, '0')}`;
  }

  /** Under the history limits: a 429 for a read over the workspace's budget (a read within it is counted). */
  private historyCue(method: string, token: string | null): FakeCue | undefined {
    const team = token ? this.tokens.get(token)?.teamId : undefined;
    if (method !== 'conversations.history' || !team || !this.historyBudget) return undefined;
    const retryAfter = this.historyBudget.take(team);
    return retryAfter === null ? undefined : { status: 429, retryAfter };
  }

  /** Paged newest first between `oldest` and `latest` (see `historyPage`). */
  private history(params: Record<string, string>): Json {
    const channel = this.channels.get(params.channel ?? '');
    if (!channel) return { ok: false, error: 'channel_not_found' };
    if (channel.historyError) return { ok: false, error: channel.historyError };
    this.historyPages.push({ method: 'conversations.history', token: null, params });
    return historyPage(this.messages, params, this.historyLimits);
  }

  private oauthAccess(params: Record<string, string>): Json {
    if (params.client_id !== this.oauthClient.id) return { ok: false, error: 'invalid_client_id' };
    if (params.client_secret !== this.oauthClient.secret) return { ok: false, error: 'bad_client_secret' };
    const grant = this.oauthCodes.get(params.code ?? '');
    if (!grant) return { ok: false, error: 'invalid_code' };
    this.oauthCodes.delete(params.code ?? '');
    // The scopes the installer consented to on the authorize page (the install redirect's `scope`).
    const scopes = grant.scopes ?? ['commands', 'chat:write'];
    this.tokens.set(grant.botToken, {
      teamId: grant.teamId,
      botId: grant.botId,
      botUserId: grant.botUserId,
      scopes,
    });
    return {
      ok: true,
      app_id: 'A0FAKE',
      authed_user: { id: 'UINSTALLER' },
      scope: scopes.join(','),
      token_type: 'bot',
      access_token: grant.botToken,
      bot_user_id: grant.botUserId,
      team: { id: grant.teamId, name: grant.teamName },
      enterprise: null,
      is_enterprise_install: false,
    };
  }
}

/**
 * Like Slack, refuses a message whose blocks break Block Kit's rules (`invalid_blocks`, with the reasons), so a
 * test cannot pass on a card or carousel Slack would reject. Messages without blocks are not checked.
 */
function invalidBlocks(text: string, blocks: unknown[]): Json | null {
  if (blocks.length === 0) return null;
  const problems = blockKitProblems({ text, blocks });
  return problems.length > 0
    ? { ok: false, error: 'invalid_blocks', response_metadata: { messages: problems } }
    : null;
}
