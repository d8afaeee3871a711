import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { RedisClient } from '../../src/store/redis-client.js';
import type { Config, DeclaredSubscription } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import { applyDeclaredSubscriptions } from '../../src/subscriptions/declared.js';
import type { SubscriptionStore } from '../../src/subscriptions/subscription-store.js';
import { pollSchedulerId, RETENTION } from '../queues.js';

/** What the poller keeps asserting in Redis. */
export interface ReassertOptions {
  redis: RedisClient;
  prefix: string;
  pollQueue: Queue;
  config: Pick<Config, 'feeds' | 'pollIntervalMs'>;
  declared: readonly DeclaredSubscription[];
  subscriptions: SubscriptionStore;
  onDataLost: () => void;
  logger: Logger;
  /** This deployment's place within each interval (`pollOffset`). */
  offsetMs: number;
}

/** Re-asserted at least this often (and each poll interval when that is shorter). */
const REASSERT_EVERY_MS = 60_000;

/**
 * This deployment's offset within the poll interval. BullMQ's `every` counts from the epoch, so without one every
 * psf-bot in the world would fetch the PSF blog at the same second of each minute: each deployment draws a random
 * point of the interval once and keeps it in Redis (as a fraction, so it stays inside a changed interval), and
 * every poller of the deployment, and every restart, uses the same one.
 */
export async function pollOffset(redis: RedisClient, prefix: string, intervalMs: number): Promise<number> {
  const key = `${prefix}:poll-offset`;
  await redis.set(key, String(Math.random()), 'NX');
  const fraction = Number(await redis.get(key));
  const valid = Number.isFinite(fraction) && fraction >= 0 && fraction < 1;
  return Math.floor((valid ? fraction : 0) * intervalMs);
}

/**
 * Creates each configured feed's poll scheduler that is missing; with `update`, upserts every one (at start,
 * so a changed interval applies). Re-upserting an existing scheduler never triggers an extra poll. A scheduler
 * with an offset first fires at its point of the next interval, so a feed whose scheduler is new is also polled
 * once right away: a first start, a new feed or a Redis that lost its data does not wait up to an interval.
 */
export async function assertPollSchedulers(
  pollQueue: Queue,
  config: Pick<Config, 'feeds' | 'pollIntervalMs'>,
  offsetMs: number,
  update = false,
): Promise<string[]> {
  const created: string[] = [];
  for (const feed of config.feeds) {
    const id = pollSchedulerId(feed.name);
    const existed = (await pollQueue.getJobScheduler(id)) !== undefined;
    if (existed && !update) continue;
    const data = { feed: feed.name };
    await pollQueue.upsertJobScheduler(
      id,
      // BullMQ treats an offset of 0 as "none" and then starts at once; 1 ms keeps a drawn 0 an offset.
      { every: config.pollIntervalMs, offset: Math.max(1, offsetMs) },
      { name: 'poll', data, opts: { removeOnComplete: 50, removeOnFail: RETENTION.removeOnFail } },
    );
    if (!existed) {
      // One id per feed while it waits: pollers starting together queue one first poll, not one each.
      await pollQueue.add('poll', data, { jobId: `first-${id}`, removeOnComplete: true, removeOnFail: 50 });
      created.push(id);
    }
  }
  return created;
}

/**
 * Survives Redis losing its data (a restart without persistence, a failover to an empty replica, a flush):
 * a marker key written at start is checked every round; when it is gone the loss is logged at error level
 * and counted. Every round, lost or not, the poll schedulers and the declared subscriptions are re-asserted
 * (both idempotent: only what is missing is created), so polling never stops silently. After a loss each
 * feed is seen for the first time again: what is already published is remembered, not announced.
 */
export async function startReassert(options: ReassertOptions): Promise<() => void> {
  const marker = `${options.prefix}:alive`;
  const stamp = () => JSON.stringify({ since: new Date().toISOString(), by: randomUUID() });
  // The marker this process last saw: a different one means another poller re-created it after a loss.
  await options.redis.set(marker, stamp(), 'NX');
  let seen = await options.redis.get(marker);
  const lost = (detail: string) =>
    options.logger.error(
      { marker, detail },
      "Redis lost its data (restart without persistence, flush or failover): re-creating poll schedules and declared subscriptions; each feed's current posts are remembered, not announced",
    );
  const round = async () => {
    const fresh = stamp();
    if ((await options.redis.set(marker, fresh, 'NX')) === 'OK') {
      seen = fresh;
      options.onDataLost();
      lost('the marker key was gone');
    } else {
      const now = await options.redis.get(marker);
      if (now !== seen) lost('another poller re-created the marker key');
      seen = now;
    }
    const created = await assertPollSchedulers(options.pollQueue, options.config, options.offsetMs);
    if (created.length > 0) options.logger.warn({ schedulers: created }, 're-created missing poll schedules');
    const subscribed = await applyDeclaredSubscriptions(options.subscriptions, options.declared, new Date());
    if (subscribed.length > 0) {
      options.logger.warn({ count: subscribed.length }, 're-created missing declared subscriptions');
    }
  };
  const every = Math.min(REASSERT_EVERY_MS, options.config.pollIntervalMs);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    round()
      .catch((error: unknown) => options.logger.warn({ err: error }, 'could not re-assert schedules'))
      .finally(() => (running = false));
  }, every);
  timer.unref();
  return () => clearInterval(timer);
}
