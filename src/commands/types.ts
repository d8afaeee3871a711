import type { LedgerEntry } from '../delivery/ledger.js';
import type { Platform, Post } from '../posts/post.js';
import type { SubscriptionOptions } from '../subscriptions/subscription.js';

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
  | { name: 'help'; share: boolean }
  | { name: 'test' }
  | { name: 'why'; query: string };

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
  | { kind: 'error'; message: string };

/** Queue counts for `status`, supplied by jobs/ (the core knows no queue library). */
export interface QueueHealth {
  counts(): Promise<Record<string, { waiting: number; active: number; delayed: number; failed: number }>>;
  /** Delivery conditions an operator must know (a platform paused by the mass-disable guard, …). */
  notes?(): Promise<string[]>;
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
