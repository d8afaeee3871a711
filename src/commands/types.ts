import type { Platform, Post } from '../posts/post.js';

/** Counts for lookups: 1–10, 5 by default (DESIGN §6). */
export const DEFAULT_COUNT = 5;
export const MAX_COUNT = 10;

/** A validated `/psf` command, whatever platform it came from. */
export type CommandRequest =
  | { name: 'latest'; count: number; feed?: string; share: boolean }
  | { name: 'tag'; tag: string; count: number; share: boolean }
  | { name: 'tags'; share: boolean }
  | { name: 'search'; query: string; share: boolean }
  | { name: 'subscribe'; feed?: string; tags: string[]; crosspost?: boolean }
  | { name: 'unsubscribe'; feed?: string }
  | { name: 'subscriptions' }
  | { name: 'status'; share: boolean }
  | { name: 'help'; share: boolean };

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
}

/** The platform-neutral reply of docs/cli.md's `ask --json`; adapters render it. */
export type Reply =
  | { kind: 'posts'; heading: string; posts: Post[]; suggestions?: string[] }
  | {
      kind: 'text';
      text: string;
      /** Channel ids the text mentions as `<#id>`, which Discord and Slack show as channel links. */
      channels?: string[];
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
