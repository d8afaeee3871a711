import type { LedgerEntry } from '../delivery/ledger.js';
import type { Platform, Post } from '../posts/post.js';
import type { Subscription, SubscriptionOptions } from '../subscriptions/subscription.js';
import type { AnnouncementStyle } from '../templates/style.js';

/** Counts for lookups: 1–10, 5 by default (DESIGN §6). */
export const DEFAULT_COUNT = 5;
export const MAX_COUNT = 10;

/** A validated `/psf` command, whatever platform it came from. */
export type CommandRequest =
  | { name: 'latest'; count: number; feed?: string; share: boolean }
  | { name: 'tag'; tag: string; count: number; share: boolean }
  | { name: 'tags'; share: boolean }
  | { name: 'search'; query: string; share: boolean }
  | ({ name: 'subscribe'; feed?: string } & SubscribeChanges)
  | { name: 'unsubscribe'; feed?: string }
  | { name: 'subscriptions' }
  | { name: 'status'; share: boolean }
  | { name: 'help'; share: boolean; topic?: string }
  | { name: 'test' }
  | { name: 'why'; query: string }
  | { name: 'follow'; feed?: string }
  | { name: 'unfollow'; feed?: string };

/**
 * What one `subscribe` changes: only the fields present; everything absent keeps its current value.
 * `tags` (included) and `excludedTags` (written `-tag`) are given together, as one filter.
 */
export interface SubscribeChanges {
  tags?: string[];
  excludedTags?: string[];
  crosspost?: boolean;
  /** A Discord role id, a Slack user group id (`S…`) or `@handle` the adapter resolves; null clears it. */
  mention?: string | null;
  thread?: boolean;
  /** One message a day or a week listing the posts instead of one per post; `off` goes back. */
  digest?: 'off' | 'daily' | 'weekly';
  /** The announcement template (`{{title}} by {{author||feed}}`); null clears it. */
  template?: string | null;
  /** The announcement layout; it must be one this platform offers. */
  style?: AnnouncementStyle;
}

export type CommandName = CommandRequest['name'];

/** Who asked and where; the adapter decides `canManage` from the platform's permissions. */
export interface CommandContext {
  platform: Platform;
  /** Discord guild id, Slack team id, or `local` for the console. */
  workspaceId: string;
  channelId: string;
  userId: string;
  /** Whether the caller may manage this channel's subscriptions. */
  canManage: boolean;
  /** Discord: whether the channel is a forum (its announcements become forum posts); unknown elsewhere. */
  forum?: boolean;
  /** Asked outside any server or workspace (a Discord DM): replies show only what is public. */
  direct?: boolean;
  /**
   * Whether the asking member may have the bot mention this role in the channel being subscribed: null when
   * they may, else why not (Discord: the role's `mentionable`, or the member's Mention Everyone there).
   */
  mentionProblem?: (role: string) => string | null;
}

/** The platform-neutral reply of docs/cli.md's `ask --json`; adapters render it. */
export type Reply =
  | { kind: 'posts'; heading: string; posts: Post[]; suggestions?: string[] }
  | {
      kind: 'text';
      text: string;
      /** Channel ids the text mentions as `<#id>`, which Discord and Slack show as channel links. */
      channels?: string[];
      /** Discord role ids the text mentions as `<@&id>`, shown as role mentions (replies never ping). */
      roles?: string[];
    }
  | {
      kind: 'error';
      message: string;
      /** Channel ids the message mentions as `<#id>` (Discord shows them as links). */
      channels?: string[];
    };

/** One server or workspace: what `status` shows of delivery is keyed by it. */
export interface Tenant {
  platform: Platform;
  workspaceId: string;
}

/**
 * A delivery condition `status` shows (a pause by the mass-disable guard, a workspace where the bot may not look
 * before re-sending, a rate-limit hold), and whom it concerns: the operator and `tenant` see `text`. A
 * platform-wide condition (Discord's guard pauses every server) also has `shared`, what the platform's other
 * servers see: it names no server, channel or reason of another.
 */
export interface DeliveryNote {
  tenant: Tenant;
  text: string;
  shared?: string;
  /** Only the operator sees it (how the bot itself is set up, e.g. a token of another bot). */
  operator?: boolean;
}

/** Counts of one queue's jobs. */
export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/** Queue counts for `status`, supplied by jobs/ (the core knows no queue library). */
export interface QueueHealth {
  /** Every queue's counts: shown to the operator only. */
  counts(): Promise<Record<string, QueueCounts>>;
  /** The counts of the queues announcements wait in (not the poller's), for the one-word health; else all. */
  deliveryCounts?(): Promise<QueueCounts[]>;
  /** Delivery conditions, each keyed by the tenant it concerns; `asking` adds that tenant's own holds. */
  notes?(asking?: Tenant): Promise<DeliveryNote[]>;
}

/** One feed's poll schedule as the running poller registered it (a BullMQ job scheduler in Redis). */
export interface PollSchedule {
  feed: string;
  everyMs: number | null;
  /** When the scheduler will next hand out a poll job, ISO-8601. */
  nextAt: string | null;
}

/** What Redis knows of the poller, supplied by jobs/: its schedules, and how many poll workers are connected. */
export interface PollerHealth {
  /** `workers` is null when Redis will not say (e.g. CLIENT LIST is disabled). */
  state(): Promise<{ workers: number | null; schedules: PollSchedule[] }>;
}

/** The command core as adapters see it: answers never throw; errors come back as `{ kind: 'error' }`. */
export interface CommandService {
  handle(request: CommandRequest, context: CommandContext): Promise<Reply>;
  /** Tags in use that match what the user has typed so far (Discord autocomplete: at most 25). */
  suggestTags(partial: string, limit: number): Promise<string[]>;
}

/** Result of parsing untrusted command input (text or platform options). */
export type ParsedCommand = { ok: true; request: CommandRequest } | { ok: false; message: string };

/** Where one deliver job of (post, channel) stands, for `why`. */
export type DeliveryState =
  | { state: 'queued' }
  | { state: 'failed'; error: string }
  | { state: 'skipped'; reason: string }
  | { state: 'done' }
  | { state: 'none' };

/** Looks deliver jobs up (jobs/ implements it over BullMQ). */
export interface DeliveryLookup {
  state(
    post: Pick<Post, 'feed' | 'id'>,
    channel: { platform: Platform; workspaceId: string; channelId: string },
  ): Promise<DeliveryState>;
}

/** What `/psf why` asks about digests (jobs/ implements it over the digest history, ledger and schedule). */
export interface DigestLookup {
  /** The digest the channel received that covered an announcement at `announcedAt`, with its message. */
  listedIn(
    channel: { platform: Platform; workspaceId: string; channelId: string },
    announcedAt: Date,
  ): Promise<{ cadence: 'daily' | 'weekly'; periodEnd: string; entry: LedgerEntry | null } | null>;
  /** When the next digest of `cadence` is due after `now`. */
  nextDue(cadence: 'daily' | 'weekly', now: Date): Date;
}

/**
 * Queues a channel's last digest when it switches `digest off`: the posts announced since its last digest,
 * sent once now as one message (they were held for a digest and would otherwise never be sent).
 */
export interface FinalDigest {
  queue(
    channel: { platform: Platform; workspaceId: string; channelId: string },
    cadence: 'daily' | 'weekly',
    at: Date,
  ): Promise<void>;
}

/** Posts one announcement to a channel now, exactly as a delivery renders it, recording nothing (`test`). */
export interface TestAnnouncer {
  announce(
    post: Post,
    channel: { platform: Platform; workspaceId: string; channelId: string },
    options: SubscriptionOptions,
  ): Promise<{ messageId: string; threadId?: string }>;
}

/** Whether the bot itself can ping each subscription's role (`subscriptions` warns): supplied by jobs/. */
export interface RolePings {
  /** Why the bot cannot ping the role of each given subscription that has one, by channel id; absent: it can. */
  problems(subscriptions: readonly Subscription[]): Promise<Map<string, string>>;
}

/** Why the platform refused to make a channel follow a hub, or to end a follow, by what it said. */
export type FollowFailure =
  /** Discord 10003: the hub or the channel is unknown to the bot. */
  | 'unknown_channel'
  /** Discord 50024: the hub is not an announcement channel, or the channel's type cannot follow one. */
  | 'not_followable'
  /** Discord 50013: the bot lacks Manage Webhooks in the channel. */
  | 'missing_permissions'
  /** Discord 50001: the bot cannot see the channel or the hub. */
  | 'missing_access'
  /** Discord 30007: the channel has the most webhooks Discord allows. */
  | 'too_many_webhooks'
  /** Discord 429: try again after `retryAfterMs`. */
  | 'rate_limited'
  /** Any other refusal (a 4xx with another Discord JSON code): the follow was not made. */
  | 'refused'
  /** No clear answer (5xx, network, timeout, a 4xx without Discord's JSON code): the follow may or may not exist. */
  | 'unclear';

/** A platform's answer to following or unfollowing, classified. */
export type FollowAnswer<T> =
  ({ ok: true } & T) | { ok: false; failure: FollowFailure; detail: string; retryAfterMs?: number };

/**
 * Discord's Channel Follow, supplied by the Discord adapter: a channel follows an announcement channel (a hub),
 * and Discord itself copies each post published there into it through a webhook it makes in the channel.
 */
export interface ChannelFollows {
  /** `POST /channels/{hub}/followers`: the webhook Discord made in `channelId`. */
  follow(hubChannelId: string, channelId: string): Promise<FollowAnswer<{ webhookId: string }>>;
  /** `DELETE /webhooks/{id}`: `gone` when Discord no longer knew the webhook (10015), so the follow had ended. */
  unfollow(webhookId: string): Promise<FollowAnswer<{ gone: boolean }>>;
}
