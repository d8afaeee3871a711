import type { Rng } from './rng.js';

// The in-memory platform model the random chaos suite's transports answer from: Discord's guilds, channels,
// messages and nonces; Slack's workspaces, tokens, channels, messages and metadata, with the history limits of
// a commercially distributed app outside the Marketplace; people talking in channels; and the faults of a
// schedule (lost answers, 5xx, 429s of each scope, stray 401s, HTML 404s). It answers as the platforms document,
// and records what the invariants need: every message, every request and every invalid-request answer.

/** One fault a request can meet; `lost` means the platform acted but the answer never came back. */
export type FaultKind =
  'lost' | '5xx' | '429-global' | '429-user' | '429-shared' | '429-workspace' | '401' | 'html404';

/** A window in which a share `p` of one platform's requests meet `kind`. */
export interface FaultWindow {
  platform: 'discord' | 'slack';
  kind: FaultKind;
  fromMs: number;
  toMs: number;
  p: number;
}

/** An HTTP answer, or none at all. */
export type SimAnswer =
  { lost: true } | { lost?: false; status: number; headers: Record<string, string>; body: string };

/** A message a platform holds. */
export interface SimMessage {
  id: string;
  channelId: string;
  /** Which chaos post it shows (its number), or null for people's chatter. */
  post: number | null;
  byBot: boolean;
  at: number;
  nonce?: string;
}

/** One request that reached a platform, for "not retried once disabled". */
export interface SimRequest {
  at: number;
  platform: 'discord' | 'slack';
  channelId: string | null;
  status: number | 'lost';
  /** The scheduled fault it met, if any. */
  fault: FaultKind | null;
  /** A look: Discord's channel read or Slack's `conversations.history`. */
  look: boolean;
}

export const DISCORD_BOT_ID = '700000000000000001';
const DISCORD_EPOCH_MS = 1_420_070_400_000n;
/** How long Discord remembers an `enforce_nonce` nonce: "the past few minutes", unspecified; modelled as 3. */
export const DISCORD_NONCE_MS = 180_000;
/** Marketplace-less apps: 1 `conversations.history` call a minute per workspace, at most 15 messages a page. */
export const TIGHT_HISTORY = { intervalMs: 60_000, pageLimit: 15 };
const POST_URL = /sim-post-(\d+)\.html/;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): SimAnswer => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const HTML_404: SimAnswer = {
  status: 404,
  headers: { 'content-type': 'text/html' },
  body: '<html><body><h1>404 Not Found</h1>nginx</body></html>',
};

/** Which chaos post a rendered message shows. */
export function postNumber(text: string): number | null {
  const found = POST_URL.exec(text);
  return found ? Number(found[1]) : null;
}

export interface SimGuild {
  id: string;
  /** When the server removed the bot (every route of its channels then answers 50001), or null. */
  removedAt: number | null;
}

export interface SimWorkspace {
  teamId: string;
  token: string;
  /** When the workspace revoked the bot's token, or null. */
  revokedAt: number | null;
  /** Marketplace-less history limits. */
  tight: boolean;
  lastHistoryAt: number | null;
}

/** Both platforms as one model, and the faults in force. */
export class SimPlatforms {
  readonly guilds = new Map<string, SimGuild>();
  /** Discord channel → its guild. */
  readonly discordChannels = new Map<string, string>();
  readonly workspaces = new Map<string, SimWorkspace>();
  /** Slack channel → its workspace. */
  readonly slackChannels = new Map<string, string>();
  readonly messages: SimMessage[] = [];
  readonly requests: SimRequest[] = [];
  /** Times of Discord's 401, 403 and non-shared 429 answers (its invalid-request limit). */
  readonly invalid: number[] = [];
  /** Slack `token_revoked` answers. */
  tokenRevokedAnswers = 0;
  faults: FaultWindow[] = [];
  private sequence = 0;
  /** The fault the request being answered met. */
  private met: FaultKind | null = null;

  constructor(
    private readonly rng: Rng,
    private readonly now: () => number,
  ) {}

  /** The fault a request of `platform` meets now, if any. */
  private fault(platform: 'discord' | 'slack'): FaultKind | null {
    const at = this.now();
    for (const window of this.faults) {
      if (window.platform !== platform || at < window.fromMs || at >= window.toMs) continue;
      if (this.rng.chance(window.p)) return (this.met = window.kind);
    }
    return (this.met = null);
  }

  private snowflake(): string {
    this.sequence += 1;
    return (((BigInt(this.now()) - DISCORD_EPOCH_MS) << 22n) | BigInt(this.sequence % 4096)).toString();
  }

  private slackTs(): string {
    this.sequence += 1;
    const ms = this.now();
    return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000 + (this.sequence % 1000)).padStart(6, '0')}`;
  }

  /** Someone (not the bot) writes in a channel. */
  chatter(platform: 'discord' | 'slack', channelId: string): void {
    const id = platform === 'discord' ? this.snowflake() : this.slackTs();
    this.messages.push({ id, channelId, post: null, byBot: false, at: this.now() });
  }

  private record(
    platform: 'discord' | 'slack',
    channelId: string | null,
    answer: SimAnswer,
    look: boolean,
  ): SimAnswer {
    const status = answer.lost ? 'lost' : answer.status;
    this.requests.push({ at: this.now(), platform, channelId, status, fault: this.met, look });
    return answer;
  }

  /** A Discord REST request. */
  discord(method: string, path: string, query: URLSearchParams, body: unknown, authed: boolean): SimAnswer {
    const channelId = /^\/channels\/(\d+)/.exec(path)?.[1] ?? null;
    const answer = this.discordAnswer(method, path, query, body, authed, channelId);
    if (!answer.lost) {
      const scope = answer.headers['x-ratelimit-scope'];
      if (answer.status === 401 || answer.status === 403 || (answer.status === 429 && scope !== 'shared'))
        this.invalid.push(this.now());
    }
    return this.record('discord', channelId, answer, method === 'GET' && channelId !== null);
  }

  private discordAnswer(
    method: string,
    path: string,
    query: URLSearchParams,
    body: unknown,
    authed: boolean,
    channelId: string | null,
  ): SimAnswer {
    const fault = this.fault('discord');
    if (fault && fault !== 'lost') return discordFault(fault);
    if (!authed) return json(401, { message: '401: Unauthorized', code: 0 });
    const act = (): SimAnswer => {
      if (method === 'GET' && path === '/users/@me')
        return json(200, { id: DISCORD_BOT_ID, username: 'psf-bot', discriminator: '0', avatar: null });
      if (method === 'GET' && path === '/users/@me/guilds') return this.discordGuilds(query);
      const guildId = channelId ? this.discordChannels.get(channelId) : undefined;
      if (!channelId || !guildId) return json(404, { message: '404: Not Found', code: 0 });
      const guild = this.guilds.get(guildId)!;
      if (guild.removedAt !== null && guild.removedAt <= this.now())
        return json(403, { message: 'Missing Access', code: 50001 });
      if (method === 'GET' && path === `/channels/${channelId}`)
        return json(200, { id: channelId, type: 0, guild_id: guildId, name: 'news' });
      if (method === 'POST' && path === `/channels/${channelId}/messages`)
        return this.discordSend(channelId, body);
      if (method === 'GET' && path === `/channels/${channelId}/messages`)
        return this.discordRead(channelId, query);
      return json(404, { message: '404: Not Found', code: 0 });
    };
    const answer = act();
    return fault === 'lost' ? { lost: true } : answer;
  }

  /** `GET /users/@me/guilds?after=&limit=`: the servers the bot is still in, by id. */
  private discordGuilds(query: URLSearchParams): SimAnswer {
    const after = BigInt(query.get('after') ?? '0');
    const limit = Math.min(200, Number(query.get('limit') ?? '200'));
    const inGuilds = [...this.guilds.values()]
      .filter(
        (guild) => (guild.removedAt === null || guild.removedAt > this.now()) && BigInt(guild.id) > after,
      )
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
      .slice(0, limit);
    return json(
      200,
      inGuilds.map((guild) => ({ id: guild.id, name: `server ${guild.id}`, icon: null, owner: false })),
    );
  }

  private discordSend(channelId: string, body: unknown): SimAnswer {
    const sent = body as {
      nonce?: string;
      enforce_nonce?: boolean;
      embeds?: { url?: string }[];
      content?: string;
    };
    if (sent.enforce_nonce && sent.nonce) {
      const earlier = this.messages.find(
        (m) => m.channelId === channelId && m.nonce === sent.nonce && this.now() - m.at < DISCORD_NONCE_MS,
      );
      if (earlier) return json(200, this.discordMessage(earlier));
    }
    const message: SimMessage = {
      id: this.snowflake(),
      channelId,
      post: postNumber(JSON.stringify(sent.embeds ?? []) + (sent.content ?? '')),
      byBot: true,
      at: this.now(),
      ...(sent.nonce ? { nonce: sent.nonce } : {}),
    };
    this.messages.push(message);
    return json(200, this.discordMessage(message));
  }

  /** `GET /channels/{id}/messages?after=&limit=`: the `limit` messages just after `after`, newest first. */
  private discordRead(channelId: string, query: URLSearchParams): SimAnswer {
    const after = BigInt(query.get('after') ?? '0');
    const limit = Math.min(100, Number(query.get('limit') ?? '50'));
    const found = this.messages
      .filter((m) => m.channelId === channelId && BigInt(m.id) > after)
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
      .slice(0, limit)
      .reverse();
    return json(
      200,
      found.map((m) => this.discordMessage(m)),
    );
  }

  private discordMessage(m: SimMessage) {
    const url = m.post === null ? undefined : `https://pyfound.blogspot.com/sim-post-${m.post}.html`;
    return {
      id: m.id,
      channel_id: m.channelId,
      type: 0,
      author: {
        id: m.byBot ? DISCORD_BOT_ID : '700000000000000099',
        username: m.byBot ? 'psf-bot' : 'someone',
      },
      content: m.post === null ? 'hello' : '',
      embeds: url ? [{ url, title: `Post ${m.post}` }] : [],
      timestamp: new Date(m.at).toISOString(),
      ...(m.nonce ? { nonce: m.nonce } : {}),
    };
  }

  /** A Slack Web API call. */
  slack(method: string, params: URLSearchParams, token: string | null): SimAnswer {
    const channelId = params.get('channel');
    const fault = this.fault('slack');
    const look = method === 'conversations.history';
    if (fault && fault !== 'lost') return this.record('slack', channelId, slackFault(fault), look);
    const answer = this.slackAct(method, params, token, channelId);
    return this.record('slack', channelId, fault === 'lost' ? { lost: true } : answer, look);
  }

  private slackAct(method: string, params: URLSearchParams, token: string | null, channelId: string | null) {
    const workspace = [...this.workspaces.values()].find((w) => w.token === token);
    if (!workspace) return json(200, { ok: false, error: 'invalid_auth' });
    if (workspace.revokedAt !== null && workspace.revokedAt <= this.now()) {
      this.tokenRevokedAnswers += 1;
      return json(200, { ok: false, error: 'token_revoked' });
    }
    if (method === 'auth.test')
      return json(200, { ok: true, team_id: workspace.teamId, user_id: 'USIMBOT', bot_id: 'BSIM' });
    if (!channelId || this.slackChannels.get(channelId) !== workspace.teamId)
      return json(200, { ok: false, error: 'channel_not_found' });
    if (method === 'chat.postMessage') return this.slackPost(channelId, params);
    if (method === 'conversations.history') return this.slackHistory(workspace, channelId, params);
    return json(200, { ok: false, error: 'unknown_method' });
  }

  private slackPost(channelId: string, params: URLSearchParams): SimAnswer {
    const metadata = JSON.parse(params.get('metadata') ?? 'null') as {
      event_payload?: { delivery?: string };
    } | null;
    const message: SimMessage = {
      id: this.slackTs(),
      channelId,
      post: postNumber(`${params.get('text') ?? ''}${params.get('blocks') ?? ''}`),
      byBot: true,
      at: this.now(),
      ...(metadata?.event_payload?.delivery ? { nonce: metadata.event_payload.delivery } : {}),
    };
    this.messages.push(message);
    return json(200, { ok: true, channel: channelId, ts: message.id });
  }

  /** `conversations.history`, newest first, under the workspace's limits. */
  private slackHistory(workspace: SimWorkspace, channelId: string, params: URLSearchParams): SimAnswer {
    let limit = Math.min(999, Number(params.get('limit') ?? '100'));
    if (workspace.tight) {
      const last = workspace.lastHistoryAt;
      if (last !== null && this.now() - last < TIGHT_HISTORY.intervalMs) {
        const waitS = Math.ceil((last + TIGHT_HISTORY.intervalMs - this.now()) / 1000);
        return json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(Math.max(1, waitS)) });
      }
      workspace.lastHistoryAt = this.now();
      limit = Math.min(limit, TIGHT_HISTORY.pageLimit);
    }
    const ts = (id: string) => Number(id);
    const oldest = Number(params.get('oldest') ?? '0');
    const latest = Number(params.get('latest') ?? 'Infinity');
    const cursor = params.get('cursor');
    const below = cursor ? Number(cursor.slice(2)) : Infinity;
    const inWindow = this.messages
      .filter((m) => m.channelId === channelId && ts(m.id) > oldest && ts(m.id) < latest && ts(m.id) < below)
      .sort((a, b) => ts(b.id) - ts(a.id));
    const page = inWindow.slice(0, limit);
    const more = inWindow.length > limit;
    const withMetadata = params.get('include_all_metadata') === 'true';
    return json(200, {
      ok: true,
      messages: page.map((m) => ({
        type: 'message',
        ts: m.id,
        text: m.post === null ? 'hello' : `sim-post-${m.post}.html`,
        ...(m.byBot ? { bot_id: 'BSIM' } : { user: 'UPERSON' }),
        ...(withMetadata && m.nonce
          ? { metadata: { event_type: 'psf_announcement', event_payload: { delivery: m.nonce } } }
          : {}),
      })),
      has_more: more,
      response_metadata: { next_cursor: more ? `c:${page[page.length - 1]!.id}` : '' },
    });
  }
}

function discordFault(kind: Exclude<FaultKind, 'lost'>): SimAnswer {
  switch (kind) {
    case '5xx':
      return { status: 503, headers: { 'content-type': 'text/plain' }, body: 'upstream connect error' };
    case '401':
      return json(401, { message: '401: Unauthorized', code: 0 });
    case 'html404':
      return HTML_404;
    case '429-global':
      return json(
        429,
        { message: 'You are being rate limited.', retry_after: 1, global: true },
        { 'retry-after': '1', 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' },
      );
    default: {
      const scope = kind === '429-shared' ? 'shared' : 'user';
      return json(
        429,
        { message: 'You are being rate limited.', retry_after: 2, global: false },
        { 'retry-after': '2', 'x-ratelimit-scope': scope },
      );
    }
  }
}

function slackFault(kind: Exclude<FaultKind, 'lost'>): SimAnswer {
  switch (kind) {
    case '5xx':
      return { status: 503, headers: { 'content-type': 'text/plain' }, body: 'upstream connect error' };
    case '401':
      return {
        status: 401,
        headers: { 'content-type': 'text/html' },
        body: '<html>401 Authorization Required</html>',
      };
    case 'html404':
      return HTML_404;
    default:
      return json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '3' });
  }
}
