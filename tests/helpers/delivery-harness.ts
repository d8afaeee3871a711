import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Announcer } from '../../src/delivery/announcer.js';
import { RedisChannelPacer } from '../../src/delivery/channel-pacer.js';
import { MemoryDeliveryCounters } from '../../src/delivery/counters.js';
import { RedisDecisionLog } from '../../src/delivery/decisions.js';
import { RedisWorkspaceBudgetPacer } from '../../src/delivery/workspace-budget.js';
import { RedisDeliveryLedger } from '../../src/delivery/redis-delivery-ledger.js';
import { RedisAnnouncementLog } from '../../src/digests/announcement-log.js';
import { RedisDigestHistory } from '../../src/digests/digest-history.js';
import { RedisDigestMarks } from '../../src/digests/digest-marks.js';
import type { DigestSchedule } from '../../src/digests/period.js';
import { RedisChannelNotes } from '../../src/subscriptions/channel-notes.js';
import { silentLogger } from '../../src/logger.js';
import { RedisEditSequence } from '../../src/posts/edit-sequence.js';
import type { Platform, Post } from '../../src/posts/post.js';
import { MemoryPostStore } from '../../src/store/memory-post-store.js';
import { RedisSubscriptionStore } from '../../src/subscriptions/redis-subscription-store.js';
import type { Subscription } from '../../src/subscriptions/subscription.js';
import { BullAnnouncementSink, deliverQueueName, QUEUE } from '../../jobs/queues.js';
import {
  createDeliveryWorkers,
  createFanoutWorker,
  discordEditPacer,
  type RateLimit,
  type WorkerTuning,
} from '../../jobs/delivery/workers.js';
import { deliverySafety } from '../../jobs/delivery/safety.js';
import { hubDeps } from '../../jobs/delivery/hub.js';
import type { HubChannel } from '../../src/config.js';
import { deleteKeys } from './delivery-fixtures.js';
import { testRedisOptions } from './test-redis.js';

/** What an in-process delivery pipeline under test is built from. */
export interface HarnessOptions {
  prefix: string;
  announcers: Partial<Record<Platform, Announcer>>;
  posts: Post[];
  subscriptions: Subscription[];
  attempts?: number;
  backoffMs?: number;
  limits?: Partial<Record<Platform, RateLimit>>;
  concurrency?: Partial<Record<Platform, number>>;
  slackIntervalMs?: number;
  /** Slack's per-workspace budget (messages per second); without it, channels are paced but workspaces not. */
  workspaceRate?: number;
  redis?: { host: string; port: number };
  tuning?: WorkerTuning;
  /** Digests on: the schedule, and the clock that the sink's announcement times and the planner read. */
  digests?: { schedule: DigestSchedule; now: () => Date };
  /** First back-off of the mass-disable guard's probe. */
  probeMs?: number;
  /** How long a look may take before its delivery is unverified, and how long a look waits per turn ahead. */
  look?: { deadlineMs?: number; turnWaitMs?: number };
  /** Discord hub channels (`DISCORD_HUB_CHANNELS`). */
  hubs?: HubChannel[];
}

/** Fan-out and deliver workers in this process against real Redis and BullMQ. */
export async function startHarness(options: HarnessOptions) {
  const where = options.redis ?? testRedisOptions();
  const connection: ConnectionOptions = where;
  const { prefix } = options;
  const redis = new Redis(where);
  redis.on('error', () => undefined); // a Redis restart test expects connection errors
  const posts = new MemoryPostStore();
  await posts.save(options.posts);
  const subscriptions = new RedisSubscriptionStore(redis, prefix);
  for (const sub of options.subscriptions) await subscriptions.put(sub);
  const ledger = new RedisDeliveryLedger(redis, prefix);
  const decisions = new RedisDecisionLog(redis, prefix);
  const notes = new RedisChannelNotes(redis, prefix);
  const counters = new MemoryDeliveryCounters();
  const logger = silentLogger();
  const platforms = Object.keys(options.announcers) as Platform[];
  const announcements = new RedisAnnouncementLog(redis, prefix);
  const digestMarks = new RedisDigestMarks(redis, prefix);
  const digestHistory = new RedisDigestHistory(redis, prefix);
  const digests = options.digests;
  const fanout = createFanoutWorker({
    connection,
    prefix,
    posts,
    subscriptions,
    platforms,
    config: { deliveryAttempts: options.attempts ?? 5 },
    logger,
    backoffMs: options.backoffMs ?? 50,
    ledger,
    decisions,
    ...(options.hubs ? { hubs: options.hubs } : {}),
    ...(options.tuning ? { tuning: options.tuning } : {}),
    ...(digests
      ? { digests: { announcements, schedule: digests.schedule, now: digests.now, settleMs: 0 } }
      : {}),
  });
  const safety = deliverySafety(redis, prefix);
  const delivery = createDeliveryWorkers({
    connection,
    prefix,
    announcers: options.announcers,
    posts,
    subscriptions,
    ledger,
    counters,
    pacer:
      options.workspaceRate === undefined
        ? new RedisChannelPacer(redis, prefix)
        : new RedisWorkspaceBudgetPacer(redis, prefix, options.workspaceRate),
    editPacer: discordEditPacer(redis, prefix),
    notes,
    config: {
      slack: {
        signingSecret: 'x',
        apiUrl: 'http://127.0.0.1/',
        adminUsers: [],
        channelIntervalMs: options.slackIntervalMs ?? 1_000,
        messagesPerSecond: 20,
      },
    },
    logger,
    ...(options.hubs ? { hubs: hubDeps(options.hubs, safety.hubs) } : {}),
    safety: {
      ...safety,
      probeMs: options.probeMs ?? 200,
      ...(options.look?.deadlineMs !== undefined ? { lookDeadlineMs: options.look.deadlineMs } : {}),
      turnWaitMs: options.look?.turnWaitMs ?? 100,
    },
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.tuning ? { tuning: options.tuning } : {}),
    ...(digests ? { digests: { announcements, marks: digestMarks, history: digestHistory } } : {}),
  });
  let stalled = 0;
  for (const worker of [...fanout.workers, ...delivery.workers]) worker.on('stalled', () => (stalled += 1));
  const announceQueue = new Queue(QUEUE.announce, { connection, prefix });
  const digestQueue = new Queue(QUEUE.digest, { connection, prefix });
  const deliverQueues = Object.fromEntries(
    platforms.map((platform) => [platform, new Queue(deliverQueueName(platform), { connection, prefix })]),
  ) as Partial<Record<Platform, Queue>>;
  const editSequence = new RedisEditSequence(redis, prefix);
  const sink = new BullAnnouncementSink(announceQueue, digests?.now, announcements, editSequence);
  const all = [announceQueue, digestQueue, ...Object.values(deliverQueues)];
  for (const queue of all) queue.on('error', () => undefined); // a Redis restart test expects these

  /** True when no job waits, runs or is delayed in any queue. */
  const idle = async () => {
    for (const queue of all) {
      const counts = await queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'prioritized',
        'waiting-children',
      );
      if (Object.values(counts).some((n) => n > 0)) return false;
    }
    return true;
  };
  const close = async () => {
    await fanout.close();
    await delivery.close();
    await Promise.all(all.map((queue) => queue.close()));
    await deleteKeys(redis, prefix);
    await redis.quit();
  };
  return {
    stalled: () => stalled,
    redis,
    prefix,
    posts,
    subscriptions,
    ledger,
    decisions,
    notes,
    counters,
    announcements,
    digestMarks,
    digestHistory,
    safety,
    sink,
    announceQueue,
    digestQueue,
    deliverQueues,
    idle,
    close,
  };
}
