import { openSync } from 'node:fs';
import { Queue } from 'bullmq';
import {
  createDeliveryWorkers,
  type RateLimit,
  createFanoutWorker,
  deliverConcurrency,
  discordEditPacer,
  slackPacer,
  type DeliveryHandles,
} from '../../jobs/delivery/workers.js';
import { buildAnnouncers, enabledPlatforms } from '../../jobs/parts/platforms.js';
import { hubDeps } from '../../jobs/delivery/hub.js';
import { RedisHubPublishes } from '../../src/delivery/hub-publishes.js';
import { BullAnnouncementSink, QUEUE } from '../../jobs/queues.js';
import { openStores, type Stores } from '../../jobs/stores.js';
import { loadConfig, type Config } from '../../src/config.js';
import { MemoryDeliveryCounters } from '../../src/delivery/counters.js';
import { createLogger, type Logger } from '../../src/logger.js';
import type { Platform, Post } from '../../src/posts/post.js';
import { REDIS_URL } from './redis.js';

/** The product's logger at its default level, writing where nobody reads (logging still costs what it costs). */
export function productLogger(): Logger {
  return createLogger('info', { pretty: false, destination: openSync('/dev/null', 'w') });
}

/** `BENCH_PRODUCT_X=v` in the bench's environment sets `X=v` for the product, to try a setting (e.g. DISCORD_RATE_LIMIT). */
export function productOverrides(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).flatMap(([name, value]) =>
      name.startsWith('BENCH_PRODUCT_') && value !== undefined
        ? [[name.slice('BENCH_PRODUCT_'.length), value]]
        : [],
    ),
  );
}

/** The environment every bench configuration starts from: local Redis, one feed nobody polls. */
export function baseEnv(prefix: string): Record<string, string> {
  return {
    REDIS_URL,
    REDIS_PREFIX: prefix,
    PSF_FEEDS: 'psf=http://127.0.0.1:9/feeds/posts/default',
    LOG_LEVEL: 'info',
  };
}

/** A scenario's environment with the overrides applied last. */
export function productEnv(env: Record<string, string>): Record<string, string> {
  return { ...env, ...productOverrides() };
}

/** The delivery side of the product, built in this process as `start --role worker` builds it. */
export interface Pipeline {
  config: Config;
  stores: Stores;
  counters: MemoryDeliveryCounters;
  /** Jobs the Slack deliver worker runs at once. */
  slackConcurrency: number;
  /** Queues `announce` jobs as the poller does. */
  announce(posts: Post[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the fan-out worker and the deliver workers of the configured platforms with the production
 * defaults (limits, concurrency, pacing), the real announcers and Redis-backed stores under the prefix.
 */
export async function startPipeline(
  env: Record<string, string>,
  options: { limits?: Partial<Record<Platform, RateLimit>> } = {},
): Promise<Pipeline> {
  const config = loadConfig(productEnv(env));
  const logger = productLogger();
  const stores = await openStores(config, logger);
  const connection = stores.target.connection;
  const common = {
    connection,
    prefix: stores.prefix,
    posts: stores.posts,
    subscriptions: stores.subscriptions,
    logger,
  };
  const counters = new MemoryDeliveryCounters();
  const handles: DeliveryHandles[] = [
    createFanoutWorker({
      ...common,
      platforms: enabledPlatforms(config),
      config,
      ...(config.discord ? { hubs: config.discord.hubs } : {}),
    }),
    createDeliveryWorkers({
      ...common,
      announcers: buildAnnouncers(config, stores, logger),
      ledger: stores.ledger,
      counters,
      pacer: slackPacer(stores.redis, stores.prefix, config),
      editPacer: discordEditPacer(stores.redis, stores.prefix),
      config,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(config.discord
        ? { hubs: hubDeps(config.discord.hubs, new RedisHubPublishes(stores.redis, stores.prefix)) }
        : {}),
    }),
  ];
  const announceQueue = new Queue(QUEUE.announce, { connection, prefix: stores.prefix });
  await Promise.all(
    [...handles.flatMap((handle) => handle.workers), announceQueue].map((part) => part.waitUntilReady()),
  );
  const sink = new BullAnnouncementSink(announceQueue);
  return {
    config,
    stores,
    counters,
    slackConcurrency: deliverConcurrency('slack', config),
    announce: (posts) => sink.enqueue(posts),
    async close() {
      await Promise.all(handles.map((handle) => handle.close()));
      await announceQueue.close();
      await stores.close();
    },
  };
}
