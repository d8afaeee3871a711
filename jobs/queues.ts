import { createHash } from 'node:crypto';
import type { BulkJobOptions, ConnectionOptions, Queue } from 'bullmq';
import { z } from 'zod';
import type { AnnouncementLog } from '../src/digests/announcement-log.js';
import type { AnnouncementSink } from '../src/feeds/announcement-sink.js';
import { MemoryEditSequence, type EditSequence } from '../src/posts/edit-sequence.js';
import { postKey } from '../src/posts/identity.js';
import { PLATFORMS, type Platform, type Post } from '../src/posts/post.js';
import type { ChannelRef } from '../src/subscriptions/subscription-store.js';

/** The BullMQ queue names (shared with every team; see helper notes). */
export const QUEUE = {
  poll: 'poll',
  announce: 'announce',
  deliver: { discord: 'deliver-discord', slack: 'deliver-slack', console: 'deliver-console' },
  /** Digest boundaries: its job schedulers always hold one waiting job, so it is kept apart from `announce`. */
  digest: 'digest',
} as const satisfies {
  poll: string;
  announce: string;
  deliver: Record<Platform, string>;
  digest: string;
};

/** The deliver queue of one platform. */
export function deliverQueueName(platform: Platform): string {
  return QUEUE.deliver[platform];
}

/** How every queue and worker reaches Redis: the same `prefix` as every other key of this bot. */
export interface QueueConnection {
  connection: ConnectionOptions;
  prefix: string;
}

const platformSchema = z.enum(PLATFORMS as [Platform, ...Platform[]]);
const isoTime = z.string().refine((text) => Number.isFinite(Date.parse(text)), 'not an ISO-8601 time');

/** Payload of a `poll` job: which configured feed to poll. */
export const pollJobSchema = z.object({ feed: z.string().min(1) });
export type PollJob = z.infer<typeof pollJobSchema>;

/**
 * Payload of an `announce` job: one post, and when it was queued (subscriptions created later skip it).
 * `action: 'edit'` (absent: send) re-renders a post already announced, at content `version`, wherever the
 * ledger says it was delivered; one more action of the one delivery path, not a second path.
 */
export const announceJobSchema = z.object({
  feed: z.string().min(1),
  postId: z.string().min(1),
  announcedAt: isoTime,
  action: z.enum(['send', 'edit']).optional(),
  version: z.string().min(1).max(64).optional(),
  /** An edit's place in the post's change sequence (`EditSequence`): only grows, so each change has its own ids. */
  seq: z.number().int().positive().optional(),
});
export type AnnounceJob = z.infer<typeof announceJobSchema>;

/** Payload of a `deliver-<platform>` job: one post to one channel. */
export const deliverJobSchema = announceJobSchema.extend({
  platform: platformSchema,
  workspaceId: z.string().min(1),
  channelId: z.string().min(1),
});
export type DeliverJob = z.infer<typeof deliverJobSchema>;

/** Payload of a `digest` job on the announce queue (from its job scheduler): which cadence is due. */
export const digestPlanJobSchema = z.object({ cadence: z.enum(['daily', 'weekly']) });

/**
 * Payload of a digest on a `deliver-<platform>` queue: a new action of the one delivery path, to one
 * channel, for one period (its key names the period; its end bounds what the digest lists).
 */
export const deliverDigestJobSchema = z.object({
  action: z.literal('digest'),
  platform: platformSchema,
  workspaceId: z.string().min(1),
  channelId: z.string().min(1),
  cadence: z.enum(['daily', 'weekly']),
  periodKey: z.string().regex(/^(daily|weekly)-\d{4}-\d{2}-\d{2}(-off\d{4})?$/),
  periodEnd: isoTime,
  /** The last digest of a channel that switched `digest off` (key `…-offHHMM`): sent only while still off. */
  final: z.literal(true).optional(),
});
export type DeliverDigestJob = z.infer<typeof deliverDigestJobSchema>;

function hash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, length);
}

/** A short, stable hash of a channel: base64url, so never `:` (BullMQ rejects it in custom ids). */
export function channelHash(channel: ChannelRef): string {
  return hash(`${channel.platform}\u0000${channel.workspaceId}\u0000${channel.channelId}`, 16);
}

/** The scheduler id of a feed's poll job (feed names hold only `[a-z0-9_-]`). */
export function pollSchedulerId(feed: string): string {
  return `poll-${feed}`;
}

/** The announce job id of a post: re-polls and a second poller cannot queue it twice. */
export function announceJobId(post: Pick<Post, 'feed' | 'id'>): string {
  return `announce-${postKey(post.feed, post.id)}`;
}

/** The deliver job id of (post, channel): a re-run fan-out, a retry or a second worker adds nothing. */
export function deliverJobId(post: Pick<Post, 'feed' | 'id'>, channel: ChannelRef): string {
  return `deliver-${postKey(post.feed, post.id)}-${channelHash(channel)}`;
}

/**
 * The announce job id of one change of a post, numbered by its `EditSequence` (`s3`); a job queued before
 * changes were numbered is named by its content version instead. A number is never reused, so a change back
 * to an earlier version (v1 → v2 → v1) is not taken for the finished job of that version.
 */
export function editAnnounceJobId(post: Pick<Post, 'feed' | 'id'>, change: number | string): string {
  return `edit-${postKey(post.feed, post.id)}-${changeName(change)}`;
}

/** The deliver job id of an edit: one per (change of the post, channel), so each change is edited once per channel. */
export function editJobId(
  post: Pick<Post, 'feed' | 'id'>,
  change: number | string,
  channel: ChannelRef,
): string {
  return `edit-${postKey(post.feed, post.id)}-${changeName(change)}-${channelHash(channel)}`;
}

function changeName(change: number | string): string {
  return typeof change === 'number' ? `s${change}` : change;
}

/**
 * The deliver job id of the edit a send queues for its own channel when it recorded an older version than
 * the stored post's (`version`, the one it edits to): at most one per (post, version, channel).
 */
export function staleSendEditJobId(
  post: Pick<Post, 'feed' | 'id'>,
  version: string,
  channel: ChannelRef,
): string {
  return `edit-${postKey(post.feed, post.id)}-sent-${version}-${channelHash(channel)}`;
}

/** Discord's nonce for (post, channel): deterministic and within Discord's 25 characters. */
export function deliveryNonce(post: Pick<Post, 'feed' | 'id'>, channel: ChannelRef): string {
  return hash(`${postKey(post.feed, post.id)}\u0000${channelHash(channel)}`, 25);
}

/** The scheduler id of a cadence's digest boundaries. */
export function digestSchedulerId(cadence: 'daily' | 'weekly'): string {
  return `digest-${cadence}`;
}

/** The ledger key of a period's digest (the ledger's "post" for a digest). */
export function digestLedgerKey(periodKey: string): string {
  return `digest-${periodKey}`;
}

/** The period key of the last digest of a channel switching `digest off` at `at` (one per minute). */
export function finalDigestKey(cadence: 'daily' | 'weekly', at: Date): string {
  const iso = at.toISOString();
  return `${cadence}-${iso.slice(0, 10)}-off${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

/** The deliver job id of (channel, period): two planners or a re-run at the boundary add one job. */
export function digestJobId(channel: ChannelRef, periodKey: string): string {
  return `digest-${periodKey}-${channelHash(channel)}`;
}

/** Discord's nonce for (channel, period). */
export function digestNonce(channel: ChannelRef, periodKey: string): string {
  return hash(`${digestLedgerKey(periodKey)}\u0000${channelHash(channel)}`, 25);
}

const DAY_S = 24 * 3600;

/**
 * Finished jobs are kept long enough for their deterministic ids to keep deduplicating (BullMQ dedupes
 * only while the old job exists): 14 days after completion, 30 days after failure so failures can be
 * listed and re-driven. The ledger, not retention, is what stops a later re-delivery.
 */
export const RETENTION = {
  removeOnComplete: { age: 14 * DAY_S },
  removeOnFail: { age: 30 * DAY_S },
} as const satisfies Pick<BulkJobOptions, 'removeOnComplete' | 'removeOnFail'>;

/** Options of a deliver job: `attempts` from config, exponential backoff from `backoffMs`. */
export function deliverJobOptions(attempts: number, backoffMs = 5_000): BulkJobOptions {
  return { attempts, backoff: { type: 'exponential', delay: backoffMs, jitter: 0.2 }, ...RETENTION };
}

/** Options of an announce job (fan-out only touches Redis, so few quick retries suffice). */
export const ANNOUNCE_JOB_OPTIONS: BulkJobOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1_000 },
  ...RETENTION,
};

/** The poller's `AnnouncementSink`: one `announce` job per post, oldest first as given, id from postKey. */
export class BullAnnouncementSink implements AnnouncementSink {
  constructor(
    private readonly queue: Queue,
    private readonly now: () => Date = () => new Date(),
    /** Digests list what was announced when: logged here, at the announcement time, not later at fan-out. */
    private readonly announcements?: AnnouncementLog,
    /** Numbers each change of a post; production passes the Redis one, shared by every poller. */
    private readonly changes: EditSequence = new MemoryEditSequence(),
  ) {}

  /** One `edit` announce job per change of a post, numbered: the fan-out finds where it was delivered. */
  async enqueueEdits(posts: { post: Post; version: string }[]): Promise<void> {
    if (posts.length === 0) return;
    const announcedAt = this.now().toISOString();
    const jobs = [];
    for (const { post, version } of posts) {
      const seq = await this.changes.next(post);
      const data = { feed: post.feed, postId: post.id, announcedAt, action: 'edit' as const, version, seq };
      jobs.push({
        name: 'edit',
        data: data satisfies AnnounceJob,
        opts: { ...ANNOUNCE_JOB_OPTIONS, jobId: editAnnounceJobId(post, seq) },
      });
    }
    await this.queue.addBulk(jobs);
  }

  async enqueue(posts: Post[]): Promise<void> {
    if (posts.length === 0) return;
    const now = this.now();
    const announcedAt = now.toISOString();
    for (const post of posts) await this.announcements?.record(post, now);
    await this.queue.addBulk(
      posts.map((post) => ({
        name: 'announce',
        data: { feed: post.feed, postId: post.id, announcedAt } satisfies AnnounceJob,
        opts: { ...ANNOUNCE_JOB_OPTIONS, jobId: announceJobId(post) },
      })),
    );
  }
}
