import type { RedisClient } from '../src/store/redis-client.js';
import type { Config } from '../src/config.js';
import { RedisDecisionLog } from '../src/delivery/decisions.js';
import { RedisDeliveryLedger } from '../src/delivery/redis-delivery-ledger.js';
import { RedisAnnouncementLog } from '../src/digests/announcement-log.js';
import { RedisDigestHistory } from '../src/digests/digest-history.js';
import { RedisDigestMarks } from '../src/digests/digest-marks.js';
import { RedisEditSequence } from '../src/posts/edit-sequence.js';
import { RedisChannelNotes } from '../src/subscriptions/channel-notes.js';
import { RedisFeedMemory } from '../src/feeds/redis-feed-memory.js';
import { RedisFeedStateStore } from '../src/feeds/redis-feed-state-store.js';
import type { Logger } from '../src/logger.js';
import { RedisPostStore } from '../src/store/redis-post-store.js';
import { RedisSubscriptionStore } from '../src/subscriptions/redis-subscription-store.js';
import { RedisFollowStore } from '../src/subscriptions/follow-store.js';
import { RedisChannelLocks } from '../src/subscriptions/channel-locks.js';
import { CommandCore, type CommandDeps } from '../src/commands/command-core.js';
import type { PollerHealth, QueueHealth } from '../src/commands/types.js';
import type { AnnouncementSink } from '../src/feeds/announcement-sink.js';
import type { PollDeps } from '../src/feeds/poller.js';
import type { PostIndex } from '../src/search/post-index.js';
import { digestLookup } from './delivery/lookup.js';
import { connectRedis, resolveRedis, type RedisTarget } from './redis.js';
import { within } from './within.js';

/** The Redis-backed stores every role shares, on one connection. */
export interface Stores {
  target: RedisTarget;
  redis: RedisClient;
  prefix: string;
  posts: RedisPostStore;
  feedStates: RedisFeedStateStore;
  memory: RedisFeedMemory;
  subscriptions: RedisSubscriptionStore;
  /** Channels that follow a hub (Discord's Channel Follow). */
  follows: RedisFollowStore;
  ledger: RedisDeliveryLedger;
  announcements: RedisAnnouncementLog;
  digestMarks: RedisDigestMarks;
  /** The digests each channel received (for `/psf why`). */
  digestHistory: RedisDigestHistory;
  /** Numbers each change of a post, so every change is edited (`BullAnnouncementSink`). */
  editSequence: RedisEditSequence;
  /** Why each post went or did not go where (for `/psf why`). */
  decisions: RedisDecisionLog;
  /** Per-channel notes (a forum needing a tag), shown by `subscriptions`. */
  notes: RedisChannelNotes;
  /** Quits Redis and stops a private redis-server this process started. */
  close(): Promise<void>;
}

/** Connects to Redis (starting a private one if need be) and builds the stores. */
export async function openStores(config: Config, logger: Logger): Promise<Stores> {
  const target = await resolveRedis(config, logger);
  let redis: RedisClient;
  try {
    redis = await connectRedis(target);
  } catch (error) {
    await target.release();
    throw error;
  }
  redis.on('error', (error) => logger.debug({ err: error }, 'redis connection error'));
  const prefix = config.redis.prefix;
  return {
    target,
    redis,
    prefix,
    posts: new RedisPostStore(redis, prefix),
    feedStates: new RedisFeedStateStore(redis, prefix),
    memory: new RedisFeedMemory(redis, prefix),
    subscriptions: new RedisSubscriptionStore(redis, prefix),
    follows: new RedisFollowStore(redis, prefix),
    ledger: new RedisDeliveryLedger(redis, prefix),
    announcements: new RedisAnnouncementLog(redis, prefix),
    digestMarks: new RedisDigestMarks(redis, prefix),
    digestHistory: new RedisDigestHistory(redis, prefix),
    editSequence: new RedisEditSequence(redis, prefix),
    decisions: new RedisDecisionLog(redis, prefix),
    notes: new RedisChannelNotes(redis, prefix),
    async close() {
      // quit() waits for pending replies, which never come while Redis is away: bound it, then cut.
      if (!(await within(redis.quit(), 2_000).catch(() => false))) redis.disconnect();
      await target.release();
    },
  };
}

/** Runs `work` with open stores and always closes them. */
export async function withStores<T>(
  config: Config,
  logger: Logger,
  work: (stores: Stores) => Promise<T>,
): Promise<T> {
  const stores = await openStores(config, logger);
  try {
    return await work(stores);
  } finally {
    await stores.close();
  }
}

/** What a poll of one feed needs, over the stores. */
export function pollDeps(config: Config, stores: Stores, sink: AnnouncementSink, logger: Logger): PollDeps {
  return {
    posts: stores.posts,
    memory: stores.memory,
    states: stores.feedStates,
    sink,
    fetchOptions: config.fetch,
    maxAgeMs: config.maxAgeMs,
    now: () => new Date(),
    logger,
    decisions: stores.decisions,
  };
}

/** The command core over the stores, answering from `index`. */
export function commandCore(
  config: Config,
  stores: Stores,
  index: PostIndex,
  queues: QueueHealth,
  logger: Logger,
  poller?: PollerHealth,
  feeds: Config['feeds'] = config.feeds,
  extras: Pick<
    CommandDeps,
    'deliveries' | 'testAnnouncer' | 'finalDigest' | 'helpFeeds' | 'rolePings' | 'channelFollows'
  > = {},
): CommandCore {
  return new CommandCore({
    posts: stores.posts,
    index,
    subscriptions: stores.subscriptions,
    follows: stores.follows,
    channelLocks: new RedisChannelLocks(stores.redis, stores.prefix),
    hubs: config.discord?.hubs ?? [],
    feedStates: stores.feedStates,
    queues,
    ...(poller ? { poller } : {}),
    feeds,
    pollIntervalMs: config.pollIntervalMs,
    digestSchedule: config.digest,
    maxSubscriptionsPerWorkspace: config.maxSubscriptionsPerWorkspace,
    declared: config.subscriptions,
    logger,
    notes: stores.notes,
    ledger: stores.ledger,
    decisions: stores.decisions,
    digests: digestLookup(stores.digestHistory, stores.ledger, config.digest),
    ...extras,
  });
}
