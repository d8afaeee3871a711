import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { DeliveryError, type Announcer } from '../../src/delivery/announcer.js';
import type { ChannelPacer } from '../../src/delivery/channel-pacer.js';
import type { DeliveryCounters } from '../../src/delivery/counters.js';
import type { DeliveryLedger } from '../../src/delivery/ledger.js';
import type { AnnouncementLog } from '../../src/digests/announcement-log.js';
import type { DigestMarks } from '../../src/digests/digest-marks.js';
import type { Logger } from '../../src/logger.js';
import type { Platform } from '../../src/posts/post.js';
import type { PostStore } from '../../src/store/post-store.js';
import type { ChannelRef, SubscriptionStore } from '../../src/subscriptions/subscription-store.js';
import { parseDeliveryAction } from './actions.js';

/** What a deliver processor needs; one per platform. */
export interface DeliverDeps {
  platform: Platform;
  announcer: Announcer;
  posts: PostStore;
  subscriptions: SubscriptionStore;
  ledger: DeliveryLedger;
  counters: DeliveryCounters;
  logger: Logger;
  /** Pauses the whole deliver queue, for every worker process (`Queue#rateLimit`). */
  rateLimit(ms: number): Promise<void>;
  /** Per-channel pacing (Slack): at most one message per `intervalMs` per channel. */
  pacing?: { pacer: ChannelPacer; intervalMs: number };
  /** What digests are built from; without it digest jobs are skipped. */
  digests?: { announcements: AnnouncementLog; marks: DigestMarks };
}

/** How one deliver job ended (the job's return value, visible in Bull Board). */
export type DeliverOutcome =
  | { status: 'delivered'; messageId: string }
  | { status: 'already'; messageId: string }
  | { status: 'skipped'; reason: string };

/** The job surface the processor uses (a BullMQ `Job`). */
export type DeliverJobHandle = Pick<Job, 'id' | 'data' | 'attemptsMade' | 'opts' | 'moveToDelayed'>;

/**
 * Added to the per-channel interval: slots exactly one interval apart reach the platform a few ms closer
 * together or further apart (scheduling jitter), and closer earns a 429.
 */
const PACING_MARGIN_MS = 20;

/** How long before its slot a paced job is woken, and the longest it then waits in the worker. */
const EARLY_WAKE_MS = 100;

/** Shortest wait honoured after a rate limit that named none, so a worker never spins on a 429. */
const MIN_RATE_LIMIT_MS = 250;

/**
 * The deliver processor: ledger first (a delivered job does nothing), then the platform, then the
 * ledger again, written only once the platform accepted. Error kinds become queue behaviour here only.
 * Every kind of delivery (a post, a digest) is an action of this one path.
 */
export function createDeliverProcessor(deps: DeliverDeps) {
  return async (job: DeliverJobHandle, token?: string): Promise<DeliverOutcome> => {
    const action = parseDeliveryAction(job.data);
    const { channel, ledgerKey } = action;
    const recorded = await deps.ledger.get(ledgerKey, channel);
    if (recorded) {
      await action.settle?.(deps);
      return { status: 'already', messageId: recorded.messageId };
    }
    const ready = await action.prepare(deps);
    if ('skip' in ready) {
      deps.logger.info(
        { jobId: job.id, ...channel, ...action.describe, reason: ready.skip },
        'delivery skipped',
      );
      return { status: 'skipped', reason: ready.skip };
    }
    await waitForChannelSlot(deps, job, token, channel);

    let messageId: string;
    try {
      ({ messageId } = await ready.send());
    } catch (error) {
      throw await classify(deps, job, channel, error);
    }
    await deps.ledger.record(ledgerKey, channel, { messageId, deliveredAt: new Date().toISOString() });
    await action.settle?.(deps);
    deps.counters.increment(deps.platform, 'delivered');
    deps.logger.debug(
      { jobId: job.id, channelId: channel.channelId, ...action.describe, messageId },
      'delivered',
    );
    return { status: 'delivered', messageId };
  };
}

/**
 * Takes the job's own slot on the channel. Until shortly before it comes the job waits in delayed (no
 * attempt spent, no worker held); it is woken early because promotion from delayed takes tens of ms, and
 * the last moments are waited out here.
 */
async function waitForChannelSlot(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
): Promise<void> {
  const pacing = deps.pacing;
  if (!pacing) return;
  const reserve = () => pacing.pacer.reserve(channel, pacing.intervalMs + PACING_MARGIN_MS, String(job.id));
  let waitMs = await reserve();
  for (let i = 0; i < 5 && waitMs > 0 && waitMs <= EARLY_WAKE_MS; i++) {
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    waitMs = await reserve();
  }
  if (waitMs <= 0) return;
  await job.moveToDelayed(Date.now() + Math.max(1, waitMs - EARLY_WAKE_MS), token);
  throw new DelayedError();
}

/** Turns a platform failure into what BullMQ should do, counting and disabling on the way. */
async function classify(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  channel: ChannelRef,
  error: unknown,
): Promise<Error> {
  const log = { jobId: job.id, ...channel };
  if (error instanceof DeliveryError && error.kind === 'rate_limited') {
    const waitMs = Math.max(error.retryAfterMs ?? 0, MIN_RATE_LIMIT_MS);
    deps.counters.increment(deps.platform, 'rate_limited');
    deps.logger.warn({ ...log, waitMs }, 'platform rate limit: pausing the queue');
    await deps.rateLimit(waitMs);
    return Worker.RateLimitError();
  }
  if (error instanceof DeliveryError && error.kind === 'permanent') {
    const reason = `${error.code}: ${error.message}`;
    await deps.subscriptions.disable(channel, reason);
    deps.counters.increment(deps.platform, 'disabled');
    deps.counters.increment(deps.platform, 'failed');
    deps.logger.warn({ ...log, reason }, 'permanent delivery failure: subscription disabled');
    return new UnrecoverableError(reason);
  }
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  deps.counters.increment(deps.platform, lastAttempt ? 'failed' : 'retried');
  deps.logger.warn({ ...log, err: error, attempt: job.attemptsMade + 1, lastAttempt }, 'delivery failed');
  return error instanceof Error ? error : new Error(String(error));
}
