import type { Rng } from './rng.js';

// The in-memory platform model the random chaos suite's transports answer from: Discord's guilds, channels
// (text, announcement, forum), messages and nonces, message edits, crossposts, threads opened on messages and
// forum posts (threads that archive); Slack's workspaces, tokens, channels, messages and metadata, `chat.update`,
// `chat.postMessage`'s per-channel and per-workspace limits, and the history limits of a commercially
// distributed app outside the Marketplace; people talking in channels; and the faults of a schedule (lost
// answers, 5xx, 429s of each scope, stray 401s, HTML 404s). It answers as the platforms document, and records
// what the invariants need: every message and what it shows, every request and every invalid-request answer.

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
  /** Where it is: a channel, or a forum post's thread. */
  channelId: string;
  /** The subscribed channel it counts for: its channel, or the forum a forum post's thread belongs to. */
  home: string;
  /** Which chaos post it announces (its number), or null (people's chatter, a digest). */
  post: number | null;
  /** The posts a digest lists (empty for anything else). */
  listed: number[];
  /** A digest's marker (title and period end), or null. */
  digest: string | null;
  /** The revision of the post it shows now, and every revision it showed, in order. */
  rev: number | null;
  revs: number[];
  byBot: boolean;
  at: number;
  nonce?: string;
  /** Discord: the embeds as sent (a look reads them back). */
  embeds?: unknown[];
  /** Discord: crossposts Discord accepted (it refuses a second with 40033). */
  crossposts: number;
  /** Discord: a thread was opened on it. */
  threaded: boolean;
}

/** A Discord thread: a forum post, or a thread opened on a message (its id is the message's). */
export interface SimThread {
  id: string;
  parentId: string;
  guildId: string;
  name: string;
  createdAt: number;
  /** When it archives (a moderator closes it, or it idles past its auto-archive duration), or null. */
  archivesAt: number | null;
}

/** What a request was, for the exercised figures. */
export type SimRoute =
  | 'send'
  | 'read'
  | 'edit'
  | 'crosspost'
  | 'thread'
  | 'forum-post'
  | 'forum-look'
  | 'channel'
  | 'probe'
  | 'history'
  | 'other';

/** One request that reached a platform, for "not retried once disabled". */
export interface SimRequest {
  at: number;
  platform: 'discord' | 'slack';
  channelId: string | null;
  status: number | 'lost';
  /** The scheduled fault it met, if any. */
  fault: FaultKind | null;
  /** A look: Discord's channel, message and thread reads or Slack's `conversations.history`. */
  look: boolean;
  route: SimRoute;
  /** A 429 the bot's own rate earned (Slack's `chat.postMessage`/`chat.update` limits), not a scheduled fault. */
  provoked?: boolean;
  /** The Discord JSON error code answered, if any. */
  code?: number;
}

export const DISCORD_BOT_ID = '700000000000000001';
const DISCORD_EPOCH_MS = 1_420_070_400_000n;
/** How long Discord remembers an `enforce_nonce` nonce: "the past few minutes", unspecified; modelled as 3. */
export const DISCORD_NONCE_MS = 180_000;
/** Marketplace-less apps: 1 `conversations.history` call a minute per workspace, at most 15 messages a page. */
export const TIGHT_HISTORY = { intervalMs: 60_000, pageLimit: 15 };
/**
 * Edits of a published (crossposted) message: about 3 an hour per channel, answered with a 429 whose
 * `Retry-After` is wrong (1 s); discord/discord-api-docs#2258, #6109 (jobs/delivery/pacers.ts).
 */
export const CROSSPOSTED_EDITS = { perHour: 3, retryAfterS: 1 };
/**
 * `chat.postMessage` (Slack's Special tier): about one message a second per channel, with short bursts
 * tolerated (modelled as a bucket of 2 refilled at 1/s), and a workspace-wide limit Slack does not publish
 * (modelled as the schedule's rate in any sliding second, the figure an operator sets SLACK_WORKSPACE_RATE to).
 * `chat.update` is Tier 3: 50 a minute per workspace. Over a limit: HTTP 429 with `Retry-After`.
 */
export const SLACK_SEND_LIMITS = { channelBurst: 2, channelPerS: 1, updatesPerMinute: 50 };
const POST_URL = /sim-post-(\d+)\.html/g;
const REVISION = /\(rev (\d+)\)/;
const DIGEST_TITLE = /PSF news: (daily|weekly) digest/;
/** Discord channel types: text, announcement, forum, public thread. */
export const CHANNEL_TYPE = { text: 0, announcement: 5, forum: 15, thread: 11 } as const;
export type DiscordKind = 'text' | 'announcement' | 'forum';

const json = (status: number, body: unknown, headers: Record<string, string> = {}): SimAnswer => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const discordError = (status: number, code: number, message: string) => json(status, { message, code });
const HTML_404: SimAnswer = {
  status: 404,
  headers: { 'content-type': 'text/html' },
  body: '<html><body><h1>404 Not Found</h1>nginx</body></html>',
};

/** Which chaos posts a rendered message shows (an announcement one, a digest several). */
export function postNumbers(text: string): number[] {
  return [...new Set([...text.matchAll(POST_URL)].map((found) => Number(found[1])))];
}

/** What a rendered message shows: one post at a revision, or a digest listing posts. */
function shown(text: string): Pick<SimMessage, 'post' | 'listed' | 'digest' | 'rev' | 'revs'> {
  const posts = postNumbers(text);
  const digest = DIGEST_TITLE.exec(text);
  if (digest) return { post: null, listed: posts, digest: digest[0], rev: null, revs: [] };
  const rev = Number(REVISION.exec(text)?.[1] ?? NaN);
  const revision = Number.isFinite(rev) ? rev : null;
  return {
    post: posts[0] ?? null,
    listed: [],
    digest: null,
    rev: revision,
    revs: revision === null ? [] : [revision],
  };
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
  /** `chat.postMessage`s accepted, by time (the workspace-wide limit counts them). */
  sends: number[];
  /** `chat.update`s accepted, by time. */
  updates: number[];
}

/** Both platforms as one model, and the faults in force. */
export class SimPlatforms {
  readonly guilds = new Map<string, SimGuild>();
  /** Discord channel (and thread) → its guild. */
  readonly discordChannels = new Map<string, string>();
  /** Discord channel → what kind of channel it is (absent: text). */
  readonly discordKinds = new Map<string, DiscordKind>();
  /** Discord threads, by id. */
  readonly threads = new Map<string, SimThread>();
  /** Forum → how long after a post starts its thread archives (absent: not within a schedule). */
  readonly forumArchiveMs = new Map<string, number>();
  readonly workspaces = new Map<string, SimWorkspace>();
  /** Slack channel → its workspace. */
  readonly slackChannels = new Map<string, string>();
  readonly messages: SimMessage[] = [];
  readonly requests: SimRequest[] = [];
  /** Times of Discord's 401, 403 and non-shared 429 answers (its invalid-request limit). */
  readonly invalid: number[] = [];
  /** Slack `token_revoked` answers. */
  tokenRevokedAnswers = 0;
  /** Slack's workspace-wide `chat.postMessage` limit a second (the schedule's); null: no send limits at all. */
  slackWorkspaceRate: number | null = null;
  faults: FaultWindow[] = [];
  private sequence = 0;
  /** The fault the request being answered met. */
  private met: FaultKind | null = null;
  /** Slack channel → its `chat.postMessage` bucket. */
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Discord channel → times of edits to its crossposted messages. */
  private readonly publishedEdits = new Map<string, number[]>();

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

  private message(fields: Partial<SimMessage> & Pick<SimMessage, 'id' | 'channelId' | 'byBot'>): SimMessage {
    const message: SimMessage = {
      home: fields.channelId,
      post: null,
      listed: [],
      digest: null,
      rev: null,
      revs: [],
      at: this.now(),
      crossposts: 0,
      threaded: false,
      ...fields,
    };
    this.messages.push(message);
    return message;
  }

  /** Someone (not the bot) writes in a channel. */
  chatter(platform: 'discord' | 'slack', channelId: string): void {
    const id = platform === 'discord' ? this.snowflake() : this.slackTs();
    this.message({ id, channelId, byBot: false });
  }

  /** Whether a thread is archived now. */
  archived(thread: SimThread): boolean {
    return thread.archivesAt !== null && thread.archivesAt <= this.now();
  }

  private record(
    platform: 'discord' | 'slack',
    channelId: string | null,
    answer: SimAnswer,
    look: boolean,
    route: SimRoute,
    provoked = false,
  ): SimAnswer {
    const status = answer.lost ? 'lost' : answer.status;
    const code = answer.lost ? undefined : errorCode(answer);
    this.requests.push({
      at: this.now(),
      platform,
      channelId,
      status,
      fault: this.met,
      look,
      route,
      ...(provoked ? { provoked } : {}),
      ...(code !== undefined ? { code } : {}),
    });
    return answer;
  }

  /** The subscribed channel a Discord channel or thread counts for. */
  private homeOf(channelId: string | null): string | null {
    if (channelId === null) return null;
    const thread = this.threads.get(channelId);
    return thread && this.discordKinds.get(thread.parentId) === 'forum' ? thread.parentId : channelId;
  }

  /** A Discord REST request. */
  discord(method: string, path: string, query: URLSearchParams, body: unknown, authed: boolean): SimAnswer {
    const channelId = /^\/channels\/(\d+)/.exec(path)?.[1] ?? null;
    const route = discordRoute(method, path);
    const answer = this.discordAnswer(method, path, query, body, authed, channelId);
    if (!answer.lost) {
      const scope = answer.headers['x-ratelimit-scope'];
      if (answer.status === 401 || answer.status === 403 || (answer.status === 429 && scope !== 'shared'))
        this.invalid.push(this.now());
    }
    const look = method === 'GET' && (channelId !== null || path.startsWith('/guilds/'));
    return this.record('discord', this.homeOf(channelId), answer, look, route);
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
      const activeThreads = /^\/guilds\/(\d+)\/threads\/active$/.exec(path);
      if (activeThreads && method === 'GET') return this.activeThreads(activeThreads[1]!);
      const guildId = channelId ? this.discordChannels.get(channelId) : undefined;
      if (!channelId || !guildId) return json(404, { message: '404: Not Found', code: 0 });
      const guild = this.guilds.get(guildId)!;
      if (guild.removedAt !== null && guild.removedAt <= this.now())
        return discordError(403, 50001, 'Missing Access');
      const rest = path.slice(`/channels/${channelId}`.length);
      if (method === 'GET' && rest === '') return json(200, this.discordChannel(channelId, guildId));
      if (method === 'POST' && rest === '/messages') return this.discordSend(channelId, body);
      if (method === 'GET' && rest === '/messages') return this.discordRead(channelId, query);
      if (method === 'POST' && rest === '/threads') return this.forumPost(channelId, guildId, body);
      if (method === 'GET' && rest === '/threads/archived/public')
        return this.archivedThreads(channelId, query);
      const onMessage = /^\/messages\/(\d+)(\/crosspost|\/threads)?$/.exec(rest);
      if (onMessage) {
        const message = this.messages.find((m) => m.channelId === channelId && m.id === onMessage[1]);
        if (!message) return discordError(404, 10008, 'Unknown Message');
        if (method === 'GET' && !onMessage[2]) return json(200, this.discordMessage(message));
        if (method === 'PATCH' && !onMessage[2]) return this.discordEdit(message, body);
        if (method === 'POST' && onMessage[2] === '/crosspost') return this.crosspost(message);
        if (method === 'POST' && onMessage[2] === '/threads')
          return this.threadOn(message, guildId, body as { name?: string });
      }
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

  /** `GET /channels/{id}`: a text, announcement or forum channel (no tags required), or a thread. */
  private discordChannel(channelId: string, guildId: string) {
    const thread = this.threads.get(channelId);
    if (thread) return this.threadObject(thread);
    const kind = this.discordKinds.get(channelId) ?? 'text';
    return {
      id: channelId,
      type: CHANNEL_TYPE[kind],
      guild_id: guildId,
      name: kind === 'forum' ? 'forum' : 'news',
      ...(kind === 'forum' ? { flags: 0, available_tags: [] } : {}),
    };
  }

  private discordSend(channelId: string, body: unknown): SimAnswer {
    if (this.discordKinds.get(channelId) === 'forum')
      return discordError(400, 50024, 'Cannot execute action on this channel type');
    const sent = body as { nonce?: string; enforce_nonce?: boolean; embeds?: unknown[]; content?: string };
    if (sent.enforce_nonce && sent.nonce) {
      const earlier = this.messages.find(
        (m) => m.channelId === channelId && m.nonce === sent.nonce && this.now() - m.at < DISCORD_NONCE_MS,
      );
      if (earlier) return json(200, this.discordMessage(earlier));
    }
    const message = this.message({
      id: this.snowflake(),
      channelId,
      byBot: true,
      embeds: sent.embeds ?? [],
      ...shown(JSON.stringify(sent.embeds ?? []) + (sent.content ?? '')),
      ...(sent.nonce ? { nonce: sent.nonce } : {}),
    });
    return json(200, this.discordMessage(message));
  }

  /** `PATCH /channels/{id}/messages/{id}`: the bot's own message, not in an archived thread. */
  private discordEdit(message: SimMessage, body: unknown): SimAnswer {
    if (!message.byBot) return discordError(403, 50005, 'Cannot edit a message authored by another user');
    const thread = this.threads.get(message.channelId);
    if (thread && this.archived(thread)) return discordError(400, 50083, 'Thread is archived');
    if (message.crossposts > 0) {
      const hour = (this.publishedEdits.get(message.channelId) ?? []).filter(
        (t) => this.now() - t < 3_600_000,
      );
      this.publishedEdits.set(message.channelId, hour);
      if (hour.length >= CROSSPOSTED_EDITS.perHour)
        return json(
          429,
          {
            message: 'You are being rate limited.',
            retry_after: CROSSPOSTED_EDITS.retryAfterS,
            global: false,
          },
          { 'retry-after': String(CROSSPOSTED_EDITS.retryAfterS), 'x-ratelimit-scope': 'user' },
        );
      hour.push(this.now());
    }
    const edit = body as { embeds?: unknown[]; content?: string };
    const now = shown(JSON.stringify(edit.embeds ?? []) + (edit.content ?? ''));
    message.embeds = edit.embeds ?? [];
    if (now.rev !== null) {
      message.rev = now.rev;
      message.revs.push(now.rev);
    }
    return json(200, this.discordMessage(message));
  }

  /** `POST …/crosspost`: an announcement channel's message, once (40033 after). */
  private crosspost(message: SimMessage): SimAnswer {
    if (this.discordKinds.get(message.channelId) !== 'announcement')
      return discordError(400, 50024, 'Cannot execute action on this channel type');
    if (message.crossposts > 0) return discordError(400, 40033, 'This message has already been crossposted.');
    message.crossposts += 1;
    return json(200, this.discordMessage(message));
  }

  /** `POST …/messages/{id}/threads`: a thread on a message, once (160004 after); its id is the message's. */
  private threadOn(message: SimMessage, guildId: string, body: { name?: string }): SimAnswer {
    if (message.threaded || this.threads.has(message.id))
      return discordError(400, 160004, 'A thread has already been created for this message');
    const thread: SimThread = {
      id: message.id,
      parentId: message.channelId,
      guildId,
      name: body.name ?? '',
      createdAt: this.now(),
      archivesAt: null,
    };
    this.threads.set(thread.id, thread);
    this.discordChannels.set(thread.id, guildId);
    message.threaded = true;
    return json(200, this.threadObject(thread));
  }

  /** `POST /channels/{forum}/threads`: a forum post, its first message's id the thread's (no nonce). */
  private forumPost(forumId: string, guildId: string, body: unknown): SimAnswer {
    if (this.discordKinds.get(forumId) !== 'forum')
      return discordError(400, 50024, 'Cannot execute action on this channel type');
    const post = body as { name?: string; message?: { embeds?: unknown[]; content?: string } };
    const id = this.snowflake();
    const archiveMs = this.forumArchiveMs.get(forumId);
    const thread: SimThread = {
      id,
      parentId: forumId,
      guildId,
      name: post.name ?? '',
      createdAt: this.now(),
      archivesAt: archiveMs === undefined ? null : this.now() + archiveMs,
    };
    this.threads.set(id, thread);
    this.discordChannels.set(id, guildId);
    const embeds = post.message?.embeds ?? [];
    const message = this.message({
      id,
      channelId: id,
      home: forumId,
      byBot: true,
      embeds,
      ...shown(JSON.stringify(embeds) + (post.message?.content ?? '')),
    });
    return json(200, { ...this.threadObject(thread), message: this.discordMessage(message) });
  }

  /** `GET /guilds/{id}/threads/active`: every thread of the server not archived. */
  private activeThreads(guildId: string): SimAnswer {
    const guild = this.guilds.get(guildId);
    if (!guild) return discordError(404, 10004, 'Unknown Guild');
    if (guild.removedAt !== null && guild.removedAt <= this.now())
      return discordError(403, 50001, 'Missing Access');
    const threads = [...this.threads.values()].filter((t) => t.guildId === guildId && !this.archived(t));
    return json(200, { threads: threads.map((t) => this.threadObject(t)), members: [] });
  }

  /** `GET /channels/{id}/threads/archived/public?before=&limit=`: most recently archived first. */
  private archivedThreads(channelId: string, query: URLSearchParams): SimAnswer {
    const before = query.get('before');
    const limit = Math.min(100, Math.max(2, Number(query.get('limit') ?? '50') || 50));
    const archived = [...this.threads.values()]
      .filter((t) => t.parentId === channelId && this.archived(t))
      .filter((t) => !before || t.archivesAt! < Date.parse(before))
      .sort((a, b) => b.archivesAt! - a.archivesAt!);
    return json(200, {
      threads: archived.slice(0, limit).map((t) => this.threadObject(t)),
      members: [],
      has_more: archived.length > limit,
    });
  }

  private threadObject(thread: SimThread) {
    const archived = this.archived(thread);
    return {
      id: thread.id,
      type: CHANNEL_TYPE.thread,
      guild_id: thread.guildId,
      parent_id: thread.parentId,
      owner_id: DISCORD_BOT_ID,
      name: thread.name,
      applied_tags: [],
      thread_metadata: {
        archived,
        auto_archive_duration: 60,
        locked: false,
        archive_timestamp: new Date(archived ? thread.archivesAt! : thread.createdAt).toISOString(),
      },
    };
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
    return {
      id: m.id,
      channel_id: m.channelId,
      type: 0,
      author: {
        id: m.byBot ? DISCORD_BOT_ID : '700000000000000099',
        username: m.byBot ? 'psf-bot' : 'someone',
      },
      content: m.byBot ? '' : 'hello',
      embeds: m.embeds ?? [],
      timestamp: new Date(m.at).toISOString(),
      flags: m.crossposts > 0 ? 1 : 0,
      ...(m.nonce ? { nonce: m.nonce } : {}),
    };
  }

  /** A Slack Web API call. */
  slack(method: string, params: URLSearchParams, token: string | null): SimAnswer {
    const channelId = params.get('channel');
    const fault = this.fault('slack');
    const look = method === 'conversations.history';
    const route: SimRoute =
      method === 'chat.postMessage'
        ? 'send'
        : method === 'chat.update'
          ? 'edit'
          : look
            ? 'history'
            : method === 'auth.test'
              ? 'probe'
              : 'other';
    if (fault && fault !== 'lost') return this.record('slack', channelId, slackFault(fault), look, route);
    const { answer, provoked } = this.slackAct(method, params, token, channelId);
    return this.record('slack', channelId, fault === 'lost' ? { lost: true } : answer, look, route, provoked);
  }

  private slackAct(
    method: string,
    params: URLSearchParams,
    token: string | null,
    channelId: string | null,
  ): { answer: SimAnswer; provoked?: boolean } {
    const workspace = [...this.workspaces.values()].find((w) => w.token === token);
    if (!workspace) return { answer: json(200, { ok: false, error: 'invalid_auth' }) };
    if (workspace.revokedAt !== null && workspace.revokedAt <= this.now()) {
      this.tokenRevokedAnswers += 1;
      return { answer: json(200, { ok: false, error: 'token_revoked' }) };
    }
    if (method === 'auth.test')
      return {
        answer: json(200, { ok: true, team_id: workspace.teamId, user_id: 'USIMBOT', bot_id: 'BSIM' }),
      };
    if (!channelId || this.slackChannels.get(channelId) !== workspace.teamId)
      return { answer: json(200, { ok: false, error: 'channel_not_found' }) };
    if (method === 'chat.postMessage') {
      const wait = this.slackSendWait(workspace, channelId);
      if (wait > 0) return { answer: ratelimited(wait), provoked: true };
      return { answer: this.slackPost(channelId, params) };
    }
    if (method === 'chat.update' && this.slackWorkspaceRate !== null) {
      workspace.updates = workspace.updates.filter((t) => this.now() - t < 60_000);
      if (workspace.updates.length >= SLACK_SEND_LIMITS.updatesPerMinute)
        return { answer: ratelimited(workspace.updates[0]! + 60_000 - this.now()), provoked: true };
      return { answer: this.slackUpdate(workspace, channelId, params) };
    }
    if (method === 'chat.update') return { answer: this.slackUpdate(workspace, channelId, params) };
    if (method === 'conversations.history')
      return { answer: this.slackHistory(workspace, channelId, params) };
    return { answer: json(200, { ok: false, error: 'unknown_method' }) };
  }

  /** How long a `chat.postMessage` must wait under the channel's and the workspace's limits (0: now). */
  private slackSendWait(workspace: SimWorkspace, channelId: string): number {
    const rate = this.slackWorkspaceRate;
    if (rate === null) return 0;
    const now = this.now();
    const bucket = this.buckets.get(channelId) ?? { tokens: SLACK_SEND_LIMITS.channelBurst, at: now };
    bucket.tokens = Math.min(
      SLACK_SEND_LIMITS.channelBurst,
      bucket.tokens + ((now - bucket.at) / 1000) * SLACK_SEND_LIMITS.channelPerS,
    );
    bucket.at = now;
    this.buckets.set(channelId, bucket);
    workspace.sends = workspace.sends.filter((t) => now - t < 1_000);
    const workspaceWait =
      workspace.sends.length >= rate ? workspace.sends[workspace.sends.length - rate]! + 1_000 - now : 0;
    const channelWait = bucket.tokens >= 1 ? 0 : ((1 - bucket.tokens) / SLACK_SEND_LIMITS.channelPerS) * 1000;
    if (workspaceWait > 0 || channelWait > 0) return Math.max(workspaceWait, channelWait, 1);
    bucket.tokens -= 1;
    workspace.sends.push(now);
    return 0;
  }

  private slackPost(channelId: string, params: URLSearchParams): SimAnswer {
    const metadata = JSON.parse(params.get('metadata') ?? 'null') as {
      event_payload?: { delivery?: string };
    } | null;
    const message = this.message({
      id: this.slackTs(),
      channelId,
      byBot: true,
      ...shown(`${params.get('text') ?? ''}${params.get('blocks') ?? ''}`),
      ...(metadata?.event_payload?.delivery ? { nonce: metadata.event_payload.delivery } : {}),
    });
    return json(200, { ok: true, channel: channelId, ts: message.id });
  }

  /** `chat.update`: the bot's message at `ts`, rewritten in place. */
  private slackUpdate(workspace: SimWorkspace, channelId: string, params: URLSearchParams): SimAnswer {
    const message = this.messages.find((m) => m.channelId === channelId && m.id === params.get('ts'));
    if (!message) return json(200, { ok: false, error: 'message_not_found' });
    if (!message.byBot) return json(200, { ok: false, error: 'cant_update_message' });
    workspace.updates.push(this.now());
    const now = shown(`${params.get('text') ?? ''}${params.get('blocks') ?? ''}`);
    if (now.rev !== null) {
      message.rev = now.rev;
      message.revs.push(now.rev);
    }
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

/** What a Discord request does, by method and path. */
function discordRoute(method: string, path: string): SimRoute {
  if (path.startsWith('/users/')) return 'probe';
  if (path.startsWith('/guilds/')) return 'forum-look';
  if (/\/crosspost$/.test(path)) return 'crosspost';
  if (/\/messages\/\d+\/threads$/.test(path)) return 'thread';
  if (/\/threads$/.test(path)) return 'forum-post';
  if (/\/threads\/archived\/public$/.test(path)) return 'forum-look';
  if (method === 'PATCH') return 'edit';
  if (method === 'POST') return 'send';
  if (/^\/channels\/\d+$/.test(path)) return 'channel';
  return 'read';
}

/** The JSON error code of a Discord answer, if it has one. */
function errorCode(answer: Exclude<SimAnswer, { lost: true }>): number | undefined {
  if (answer.status < 400 || !answer.headers['content-type']?.includes('json')) return undefined;
  const code = (JSON.parse(answer.body) as { code?: unknown }).code;
  return typeof code === 'number' && code > 0 ? code : undefined;
}

/** Slack's 429 for a send over its limits, with the seconds to wait. */
function ratelimited(waitMs: number): SimAnswer {
  return json(
    429,
    { ok: false, error: 'ratelimited' },
    { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) },
  );
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
