import { Queue, Worker, type ConnectionOptions, type Job, type WorkerOptions } from 'bullmq';
import type { Config } from '../../src/config.js';
import type { Announcer } from '../../src/delivery/announcer.js';
import type { ChannelPacer } from '../../src/delivery/channel-pacer.js';
import type { DeliveryCounters } from '../../src/delivery/counters.js';
import type { DecisionLog } from '../../src/delivery/decisions.js';
import type { DeliveryLedger } from '../../src/delivery/ledger.js';
import type { AnnouncementLog } from '../../src/digests/announcement-log.js';
import type { DigestSchedule } from '../../src/digests/period.js';
import type { ChannelNotes } from '../../src/subscriptions/channel-notes.js';
import type { Logger } from '../../src/logger.js';
import { PLATFORMS, type Platform } from '../../src/posts/post.js';
import type { PostStore } from '../../src/store/post-store.js';
import type { SubscriptionStore } from '../../src/subscriptions/subscription-store.js';
import { deliverJobOptions, deliverQueueName, QUEUE } from '../queues.js';
import { lookLimits, type DeliverySafety } from './safety.js';
import { createDeliverProcessor } from './deliver.js';
import type { DigestStores } from './digest-delivery.js';
import { createDigestPlanner } from './digest-plan.js';
import { editQueue, perPostJobs } from './lookup.js';
import { platformPacing } from './pacers.js';
import { deliverConcurrency, defaultLimit, type RateLimit } from './limits.js';

export {
  DEFAULT_CONCURRENCY,
  deliverConcurrency,
  SLACK_QUEUE_CEILING,
  smoothLimit,
  type RateLimit,
} from './limits.js';

export { CROSSPOSTED_EDIT_INTERVAL_MS, discordEditPacer, platformPacing, slackPacer } from './pacers.js';
import { GuardWake, startGuardProbe } from './guard-probe.js';
import { createFanoutProcessor } from './fanout.js';
import type { HubChannel } from '../../src/config.js';
import type { HubDeps } from './hub.js';

/** Worker settings tests lower (lock and stall timings); production keeps BullMQ's defaults. */
export type WorkerTuning = Pick<
  WorkerOptions,
  'lockDuration' | 'stalledInterval' | 'maxStalledCount' | 'drainDelay'
>;

/** What `createDeliveryWorkers` needs from the composition root. */
export interface DeliveryWorkersOptions {
  connection: ConnectionOptions;
  prefix: string;
  /** The platforms to deliver to; one worker each. */
  announcers: Partial<Record<Platform, Announcer>>;
  posts: PostStore;
  subscriptions: SubscriptionStore;
  ledger: DeliveryLedger;
  counters: DeliveryCounters;
  /** Required when Slack is among the announcers: its per-channel and per-workspace pacing (`slackPacer`). */
  pacer?: ChannelPacer;
  /** Discord: spacing of edits per channel (crossposted) and per message (`discordEditPacer`); none without it. */
  editPacer?: ChannelPacer;
  /** Where a post a channel cannot take is noted. */
  notes?: ChannelNotes;
  config: Pick<Config, 'discord' | 'slack'>;
  logger: Logger;
  limits?: Partial<Record<Platform, RateLimit>>;
  concurrency?: Partial<Record<Platform, number>>;
  tuning?: WorkerTuning;
  /** What digest deliveries are built from, and where each one sent is kept. */
  digests?: DigestStores;
  /** Per-tenant 429 holds, the mass-disable guard (and its probe's first back-off) and delivery notes. */
  safety?: DeliverySafety;
  /** Discord hub channels and their shared publish windows (`hubDeps`). */
  hubs?: HubDeps;
}

/** Running workers and the queues they own; `close()` shuts them down gracefully. */
export interface DeliveryHandles {
  workers: Worker[];
  queues: Queue[];
  close(): Promise<void>;
}

/** Logs errors at most once per 5 s: BullMQ can emit them in a hot loop while Redis is away. */
function logErrorsThrottled(emitter: Worker | Queue, logger: Logger, name: string): void {
  let last = 0;
  const log = (err: Error) => {
    if (Date.now() - last < 5_000) return;
    last = Date.now();
    logger.error({ err, queue: name }, 'queue connection error');
  };
  if (emitter instanceof Worker) emitter.on('error', log);
  else emitter.on('error', log);
}

/** One worker per platform with an announcer, each rate limited queue-wide; Slack also paced per channel. */
export function createDeliveryWorkers(options: DeliveryWorkersOptions): DeliveryHandles {
  const { connection, prefix, logger } = options;
  const workers: Worker[] = [];
  const queues: Queue[] = [];
  const stops: (() => void)[] = [];
  const safety = options.safety;
  // Read only: whether a post's fan-out is done, before a digest that would list it is built.
  const announceQueue = new Queue(QUEUE.announce, { connection, prefix });
  logErrorsThrottled(announceQueue, logger, QUEUE.announce);
  queues.push(announceQueue);
  for (const platform of PLATFORMS) {
    const announcer = options.announcers[platform];
    if (!announcer) continue;
    if (platform === 'slack' && !options.pacer) throw new Error('Slack delivery needs a ChannelPacer');
    const name = deliverQueueName(platform);
    const queue = new Queue(name, { connection, prefix });
    const wake = new GuardWake();
    const processor = createDeliverProcessor({
      platform,
      announcer,
      posts: options.posts,
      subscriptions: options.subscriptions,
      ledger: options.ledger,
      counters: options.counters,
      logger: logger.child({ queue: name }),
      rateLimit: (ms) => queue.rateLimit(ms),
      ...(options.digests ? { digests: options.digests } : {}),
      perPost: perPostJobs(announceQueue, queue),
      editQueue: editQueue(queue),
      ...(safety
        ? {
            holds: safety.holds,
            guard: safety.guard,
            lookNotes: safety.notes,
            pausePlatform: () => queue.pause(),
            guardTripped: () => wake.ring(),
            ...lookLimits(platform, safety),
          }
        : {}),
      ...platformPacing(platform, options),
      ...(platform === 'discord' && options.hubs ? { hubs: options.hubs } : {}),
      ...(options.notes ? { notes: options.notes } : {}),
    });
    const worker = new Worker(name, processor, {
      connection,
      prefix,
      concurrency: deliverConcurrency(platform, options.config, options.concurrency),
      limiter: options.limits?.[platform] ?? defaultLimit(platform, options.config),
      ...options.tuning,
    });
    logErrorsThrottled(worker, logger, name);
    logErrorsThrottled(queue, logger, name);
    workers.push(worker);
    queues.push(queue);
    if (safety) {
      const probe = {
        platform,
        guard: safety.guard,
        announcer,
        queue,
        subscriptions: options.subscriptions,
        logger,
        wake,
        checkIdentity: true,
      };
      stops.push(startGuardProbe({ ...probe, ...(safety.probeMs ? { baseMs: safety.probeMs } : {}) }));
    }
  }
  const close = async () => {
    stops.forEach((stop) => stop());
    await closeDelivery({ workers, queues });
  };
  return { workers, queues, close };
}

/** What `createFanoutWorker` needs. */
export interface FanoutWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  posts: PostStore;
  subscriptions: SubscriptionStore;
  /** Enabled platforms; subscriptions of the others are skipped. */
  platforms: readonly Platform[];
  config: Pick<Config, 'deliveryAttempts'>;
  logger: Logger;
  /** Where edits find the channels a post was delivered to. */
  ledger?: DeliveryLedger;
  /** Where fan-out keeps each subscription's decision for `/psf why`. */
  decisions?: DecisionLog;
  /** First retry delay of a deliver job; doubles each attempt. */
  backoffMs?: number;
  concurrency?: number;
  tuning?: WorkerTuning;
  /** Digests: the announcement log fan-out writes, and the schedule the `digest` jobs plan against. */
  digests?: { announcements: AnnouncementLog; schedule: DigestSchedule; now?: () => Date; settleMs?: number };
  /** Discord hub channels (`DISCORD_HUB_CHANNELS`): each gets every post of its feed. */
  hubs?: readonly HubChannel[];
}

/** The `announce` worker: fans each announced post out to deliver jobs. */
export function createFanoutWorker(options: FanoutWorkerOptions): DeliveryHandles {
  const { connection, prefix, logger } = options;
  const queues = options.platforms.map(
    (platform) => new Queue(deliverQueueName(platform), { connection, prefix }),
  );
  const deliverQueues = Object.fromEntries(options.platforms.map((platform, i) => [platform, queues[i]]));
  const jobOptions = deliverJobOptions(options.config.deliveryAttempts, options.backoffMs);
  const fanout = createFanoutProcessor({
    posts: options.posts,
    subscriptions: options.subscriptions,
    deliverQueues,
    jobOptions,
    logger: logger.child({ queue: QUEUE.announce }),
    ...(options.digests ? { announcements: options.digests.announcements } : {}),
    ...(options.ledger ? { ledger: options.ledger } : {}),
    ...(options.decisions ? { decisions: options.decisions } : {}),
    ...(options.hubs ? { hubs: options.hubs } : {}),
  });
  const digests = options.digests;
  const plan = digests
    ? createDigestPlanner({
        subscriptions: options.subscriptions,
        deliverQueues,
        jobOptions,
        schedule: digests.schedule,
        now: digests.now ?? (() => new Date()),
        logger: logger.child({ queue: QUEUE.digest }),
        ...(digests.settleMs !== undefined ? { settleMs: digests.settleMs } : {}),
      })
    : null;
  const worker = new Worker(QUEUE.announce, fanout, {
    connection,
    prefix,
    concurrency: options.concurrency ?? 2,
    ...options.tuning,
  });
  logErrorsThrottled(worker, logger, QUEUE.announce);
  const workers = [worker];
  // The digest schedulers' jobs plan digests into the same deliver queues.
  if (plan) {
    const planner = new Worker(QUEUE.digest, (job: Job) => plan(job), {
      connection,
      prefix,
      ...options.tuning,
    });
    logErrorsThrottled(planner, logger, QUEUE.digest);
    workers.push(planner);
  }
  queues.forEach((queue) => logErrorsThrottled(queue, logger, queue.name));
  return { workers, queues, close: () => closeDelivery({ workers, queues }) };
}

/** Graceful stop: workers finish their current jobs and fetch no more, then the queues close. */
export async function closeDelivery(handles: Pick<DeliveryHandles, 'workers' | 'queues'>): Promise<void> {
  await Promise.all(handles.workers.map((worker) => worker.close()));
  await Promise.all(handles.queues.map((queue) => queue.close()));
}
