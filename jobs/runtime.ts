import type { Queue } from 'bullmq';
import type { Config, DeclaredSubscription } from '../src/config.js';
import type { Tenant } from '../src/commands/types.js';
import { deliverySafety, deliveryStatusNotes, guardReadiness } from './delivery/safety.js';
import { createLogger, type Logger } from '../src/logger.js';
import { PostIndex } from '../src/search/post-index.js';
import { applyDeclaredSubscriptions } from '../src/subscriptions/declared.js';
import { upsertDigestSchedulers } from './delivery/digest-schedule.js';
import { hubDeps } from './delivery/hub.js';
import {
  createDeliveryWorkers,
  createFanoutWorker,
  discordEditPacer,
  slackPacer,
  type DeliveryHandles,
} from './delivery/workers.js';
import { followPostChanges } from './index-sync.js';
import { Metrics } from './metrics.js';
import {
  buildAnnouncers,
  CLEAR_INSTALLATIONS_WARNING,
  discordRequestBudget,
  enabledPlatforms,
  startCommandFrontends,
} from './parts/platforms.js';
import { feedReadiness } from './parts/feed-readiness.js';
import { discordChannelFollows, discordRolePings } from './parts/platforms.js';
import { startPoller } from './parts/poller.js';
import { deliveryLookup, finalDigests, testAnnouncer } from './delivery/lookup.js';
import { openAllQueues, pollerHealth, queueHealth } from './queue-health.js';
import { QUEUE } from './queues.js';
import { runs, type Role } from './roles.js';
import { commandCore, openStores, type Stores } from './stores.js';
import { createWebServer, type WebMount } from './web/server.js';
import { within } from './within.js';
import type { ReadinessCheck } from './web/readiness.js';

/** How long any other part (server, platforms, Redis) gets to close, beyond the grace, before shutdown moves on. */
const PART_CLOSE_MARGIN_MS = 5_000;

/** The console channel every feed goes to when no chat platform is configured. */
const CONSOLE_SUBSCRIPTION: DeclaredSubscription = {
  platform: 'console',
  workspaceId: 'local',
  channelId: 'console',
  feeds: [],
  tags: [],
};

type Closer = { name: string; close: () => Promise<void> };

/** Builds the command core over the stores, with an index kept current from Redis. */
async function startCommandCore(
  config: Config,
  stores: Stores,
  queues: Queue[],
  logger: Logger,
  closers: Closer[],
) {
  const index = PostIndex.build([]);
  const stopFollowing = await followPostChanges(
    stores.target.connect(),
    stores.prefix,
    stores.posts,
    index,
    logger,
  );
  closers.push({ name: 'index sync', close: stopFollowing });
  const safety = deliverySafety(stores.redis, stores.prefix);
  const hubIds = (config.discord?.hubs ?? []).map((hub) => hub.channelId);
  const notes = (asking?: Tenant) => deliveryStatusNotes(safety, enabledPlatforms(config), asking, hubIds);
  const poll = queues.find((queue) => queue.name === QUEUE.poll);
  return commandCore(
    config,
    stores,
    index,
    queueHealth(queues, notes),
    logger,
    poll ? pollerHealth(poll) : undefined,
    config.feeds,
    {
      deliveries: deliveryLookup(queues),
      testAnnouncer: testAnnouncer(buildAnnouncers(config, stores, logger)),
      finalDigest: finalDigests(queues, config.deliveryAttempts),
      ...(config.discord
        ? {
            rolePings: discordRolePings(config.discord, logger),
            channelFollows: discordChannelFollows(config.discord, stores, logger),
          }
        : {}),
    },
  );
}

/** Starts the delivery side: the fan-out worker and one deliver worker per enabled platform. */
async function startWorkers(
  config: Config,
  stores: Stores,
  metrics: Metrics,
  logger: Logger,
): Promise<DeliveryHandles[]> {
  const connection = stores.target.connection;
  await upsertDigestSchedulers({ connection, prefix: stores.prefix }, config.digest);
  const platforms = enabledPlatforms(config);
  const common = {
    connection,
    prefix: stores.prefix,
    posts: stores.posts,
    subscriptions: stores.subscriptions,
    logger,
  };
  const safety = deliverySafety(stores.redis, stores.prefix);
  const fanout = createFanoutWorker({
    ...common,
    platforms,
    config,
    digests: { announcements: stores.announcements, schedule: config.digest },
    ledger: stores.ledger,
    decisions: stores.decisions,
    ...(config.discord ? { hubs: config.discord.hubs } : {}),
  });
  const deliver = createDeliveryWorkers({
    ...common,
    announcers: buildAnnouncers(config, stores, logger),
    ledger: stores.ledger,
    counters: metrics,
    pacer: slackPacer(stores.redis, stores.prefix, config),
    editPacer: discordEditPacer(stores.redis, stores.prefix),
    notes: stores.notes,
    config,
    digests: {
      announcements: stores.announcements,
      marks: stores.digestMarks,
      history: stores.digestHistory,
    },
    safety,
    ...(config.discord ? { hubs: hubDeps(config.discord.hubs, safety.hubs) } : {}),
  });
  return [fanout, deliver];
}

/** Closes everything in reverse order of start, each step bounded, never throwing. */
async function closeAll(closers: Closer[], graceMs: number, logger: Logger): Promise<void> {
  for (const closer of [...closers].reverse()) {
    const closed = closer.close().then(
      () => true,
      (error: unknown) => {
        logger.warn({ err: error, part: closer.name }, 'close failed');
        return true;
      },
    );
    if (!(await within(closed, graceMs + PART_CLOSE_MARGIN_MS))) {
      logger.warn(
        { part: closer.name, waitedMs: graceMs + PART_CLOSE_MARGIN_MS },
        'gave up waiting for a part to close',
      );
    }
  }
}

/** Waits for SIGTERM or SIGINT. */
function shutdownSignal(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down: finishing in-flight work');
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

/** `psf-bot start [--role …]`: runs the service until SIGTERM/SIGINT, then stops gracefully (exit 0). */
export async function runStart(config: Config, role: Role): Promise<number> {
  const logger = createLogger(config.logLevel);
  const stopping = shutdownSignal(logger);
  const closers: Closer[] = [];
  const stores = await openStores(config, logger);
  closers.push({ name: 'redis', close: () => stores.close() });
  try {
    const metrics = new Metrics({ logger });
    const platforms = enabledPlatforms(config);
    if (config.slack?.oauth && !config.encryption) logger.warn(CLEAR_INSTALLATIONS_WARNING);
    const queues = openAllQueues(stores.target.connection, stores.prefix, platforms);
    closers.push({
      name: 'queues',
      close: async () => void (await Promise.all(queues.map((q) => q.close()))),
    });
    metrics.watchQueues(queues);
    if (config.discord) metrics.watchInvalidRequests('discord', discordRequestBudget(config.discord, stores));
    metrics.watchFeeds(
      stores.feedStates,
      config.feeds.map((feed) => feed.name),
    );
    const declared = platforms.includes('console')
      ? [...config.subscriptions, CONSOLE_SUBSCRIPTION]
      : config.subscriptions;
    await applyDeclaredSubscriptions(stores.subscriptions, declared, new Date());

    const readiness: Record<string, ReadinessCheck> = {
      redis: async () => (await stores.redis.ping()) === 'PONG',
      delivery: guardReadiness(deliverySafety(stores.redis, stores.prefix).guard, platforms),
    };
    const web: { mounts: WebMount[] } = { mounts: [] };
    if (runs(role, 'bot') || runs(role, 'web')) {
      const core = await startCommandCore(config, stores, queues, logger, closers);
      const frontends = await startCommandFrontends(
        config,
        { gateway: runs(role, 'bot'), http: runs(role, 'web') },
        core,
        stores,
        metrics,
        logger,
      );
      closers.push({ name: 'platforms', close: () => frontends.close() });
      Object.assign(readiness, frontends.readiness);
      web.mounts.push(...frontends.mounts);
    }
    if (runs(role, 'poller')) {
      const poller = await startPoller(config, stores, stores.target.connection, metrics, logger, declared);
      closers.push({ name: 'poller', close: () => poller.close() });
      readiness.poller = async () => poller.worker.isRunning() || 'poll worker stopped';
      readiness.feeds = feedReadiness(
        stores.feedStates,
        config.feeds.map((feed) => feed.name),
        config.pollIntervalMs,
      );
    }
    if (runs(role, 'worker')) {
      const handles = await startWorkers(config, stores, metrics, logger);
      const workers = handles.flatMap((handle) => handle.workers);
      closers.push({ name: 'workers', close: () => closeWorkers(handles, config.shutdownGraceMs, logger) });
      readiness.workers = async () => workers.every((worker) => worker.isRunning()) || 'a worker stopped';
    }
    const server = createWebServer({
      config: {
        port: config.port,
        ...(config.adminToken && runs(role, 'web') ? { adminToken: config.adminToken } : {}),
        ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
      },
      readiness,
      metrics: metrics.registry,
      queues,
      mounts: web.mounts,
      logger,
    });
    const port = await server.listen();
    closers.push({ name: 'http server', close: () => server.close() });
    logger.info(
      { role, port, platforms, feeds: config.feeds.map((feed) => feed.name), redis: stores.target.where },
      'psf-bot started',
    );
    await stopping;
  } finally {
    await closeAll(closers, config.shutdownGraceMs, logger);
  }
  logger.info('stopped');
  return 0;
}

/** Lets in-flight deliveries finish within the grace period, then forces the rest closed. */
async function closeWorkers(handles: DeliveryHandles[], graceMs: number, logger: Logger): Promise<void> {
  if (await within(Promise.all(handles.map((handle) => handle.close())), graceMs)) return;
  // A second close() returns the first one's promise (BullMQ ignores `force` then), so cut the connections:
  // an unfinished job's lock expires and another worker takes it; the ledger and the nonce stop a double post.
  logger.warn({ graceMs }, 'deliveries still running after the grace period: disconnecting');
  const parts = handles.flatMap((handle) => [...handle.workers, ...handle.queues]);
  await within(Promise.allSettled(parts.map((part) => part.disconnect())), 2_000);
}
