import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from '../src/logger.js';
import type { Platform } from '../src/posts/post.js';
import type { FeedStateStore } from '../src/feeds/feed-state.js';
import type { CommandContext, CommandRequest, CommandService, Reply } from '../src/commands/types.js';
import type { DeliveryCounters, DeliveryOutcome } from '../src/delivery/counters.js';
import type { RequestBudget } from '../src/delivery/request-budget.js';

/** How one poll of a feed ended: fresh content, not modified, or a failure. */
export type PollOutcome = '200' | '304' | 'error';

/** What metrics read of one poll: docs/cli.md's `poll --once --json` line (the poller's `PollResult`). */
export interface PollOutcomeSummary {
  feed: string;
  status: number | 'error';
  /** Posts queued for announcement. */
  new: readonly string[];
  /** Posts remembered without announcing. */
  seeded: number;
  skipped?: boolean;
}

/** What `/metrics` needs of a BullMQ `Queue` (a `Queue` fits). */
export interface CountedQueue {
  readonly name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

/** Job states reported per queue. */
export const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'failed',
] as const;

/** Buckets in seconds from 5 ms to 10 s: commands answer in milliseconds, Discord's deadline is 3 s. */
const COMMAND_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Maps an HTTP status (or a failure) to the poll outcome label: 2xx → 200, 304 → 304, else error. */
export function pollOutcome(status: number | 'error'): PollOutcome {
  if (status === 304) return '304';
  return typeof status === 'number' && status >= 200 && status < 300 ? '200' : 'error';
}

/** The bot's Prometheus metrics in their own registry (names prefixed `psf_`), with Node's process metrics. */
export class Metrics implements DeliveryCounters {
  readonly registry = new Registry();
  private queues: readonly CountedQueue[] = [];
  private feedStates: { store: FeedStateStore; feeds: readonly string[] } | undefined;
  private readonly budgets = new Map<Platform, Pick<RequestBudget, 'invalidCount'>>();
  private readonly polls: Counter<'feed' | 'outcome'>;
  private readonly postsSeen: Counter<'feed'>;
  private readonly announcements: Counter<'feed'>;
  private readonly deliveries: Counter<'platform' | 'outcome'>;
  private readonly dataLost: Counter;
  private readonly commandSeconds: Histogram<'command' | 'platform'>;

  constructor(
    private readonly options: { logger?: Logger; now?: () => number; defaultMetrics?: boolean } = {},
  ) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'psf_' });
    this.polls = new Counter({
      name: 'psf_polls_total',
      help: 'Feed polls by feed and outcome (200, 304, error)',
      labelNames: ['feed', 'outcome'],
      registers,
    });
    this.postsSeen = new Counter({
      name: 'psf_posts_seen_total',
      help: 'Posts read from feeds that the store did not know before',
      labelNames: ['feed'],
      registers,
    });
    this.announcements = new Counter({
      name: 'psf_announcements_queued_total',
      help: 'Announcements of new posts put on the announce queue',
      labelNames: ['feed'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'psf_deliveries_total',
      help: 'Delivery attempts by platform and outcome (delivered, retried, rate_limited, failed, disabled, held)',
      labelNames: ['platform', 'outcome'],
      registers,
    });
    this.dataLost = new Counter({
      name: 'psf_redis_data_lost_total',
      help: "Times the poller found Redis's data gone (restart without persistence, flush, empty replica)",
      registers,
    });
    this.commandSeconds = new Histogram({
      name: 'psf_command_duration_seconds',
      help: 'Time to answer a /psf command, by command and platform',
      labelNames: ['command', 'platform'],
      buckets: COMMAND_BUCKETS,
      registers,
    });
    this.registerScrapeGauges(registers);
  }

  /** Counts one poll of `feed` ending with `status` (an HTTP status, or `error`). */
  recordPoll(feed: string, status: number | 'error'): void {
    this.polls.inc({ feed, outcome: pollOutcome(status) });
  }

  /** Counts one poll from its result (the poller's `PollResult` fits); a poll skipped for backoff counts nothing. */
  recordPollResult(result: PollOutcomeSummary): void {
    if (result.skipped) return;
    this.recordPoll(result.feed, result.status);
    this.recordPostsSeen(result.feed, result.new.length + result.seeded);
    this.recordAnnouncementsQueued(result.feed, result.new.length);
  }

  /** Counts posts of `feed` seen for the first time. */
  recordPostsSeen(feed: string, count: number): void {
    if (count > 0) this.postsSeen.inc({ feed }, count);
  }

  /** Counts announcements of `feed` put on the queue. */
  recordAnnouncementsQueued(feed: string, count: number): void {
    if (count > 0) this.announcements.inc({ feed }, count);
  }

  /** Counts one delivery attempt on `platform` ending with `outcome` (the delivery job's `DeliveryCounters`). */
  increment(platform: Platform, outcome: DeliveryOutcome): void {
    this.deliveries.inc({ platform, outcome });
  }

  /** Counts one loss of Redis's data noticed by the poller. */
  recordRedisDataLost(): void {
    this.dataLost.inc();
  }

  /** Records how long one command took to answer, in milliseconds. */
  observeCommand(command: string, platform: Platform, milliseconds: number): void {
    this.commandSeconds.observe({ command, platform }, milliseconds / 1000);
  }

  /** Queues whose job counts are read at every scrape. */
  watchQueues(queues: readonly CountedQueue[]): void {
    this.queues = queues;
  }

  /** Feeds whose last success is read from `store` at every scrape. */
  watchFeeds(store: FeedStateStore, feeds: readonly string[]): void {
    this.feedStates = { store, feeds };
  }

  /** A platform's invalid-request budget (shared in Redis), read at every scrape. */
  watchInvalidRequests(platform: Platform, budget: Pick<RequestBudget, 'invalidCount'>): void {
    this.budgets.set(platform, budget);
  }

  private registerScrapeGauges(registers: Registry[]): void {
    // Read on scrape, not on a timer, so every process reports what Redis holds at that moment.
    const queueCounts = () => this.queueCounts();
    const secondsSinceSuccess = () => this.secondsSinceSuccess();
    const invalidCounts = () => this.invalidCounts();
    new Gauge({
      name: 'psf_invalid_requests',
      help: "401/403/429 answers in the platform's window, from every process (Discord: 10 minutes; 10,000 bans the IP)",
      labelNames: ['platform'],
      registers,
      async collect() {
        this.reset();
        for (const [platform, count] of await invalidCounts()) this.set({ platform }, count);
      },
    });
    new Gauge({
      name: 'psf_queue_jobs',
      help: 'Jobs in each queue by state, read from Redis at scrape time',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const [queue, counts] of await queueCounts()) {
          for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'psf_feed_seconds_since_success',
      help: 'Seconds since each feed was last fetched successfully; +Inf when it never was',
      labelNames: ['feed'],
      registers,
      async collect() {
        this.reset();
        for (const [feed, seconds] of await secondsSinceSuccess()) this.set({ feed }, seconds);
      },
    });
  }

  private async queueCounts(): Promise<Array<[string, Record<string, number>]>> {
    try {
      return await Promise.all(
        this.queues.map(
          async (queue) =>
            [queue.name, await queue.getJobCounts(...QUEUE_STATES)] as [string, Record<string, number>],
        ),
      );
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'metrics: could not read queue counts');
      return [];
    }
  }

  private async invalidCounts(): Promise<Array<[Platform, number]>> {
    try {
      return await Promise.all(
        [...this.budgets].map(
          async ([platform, budget]) => [platform, await budget.invalidCount()] as [Platform, number],
        ),
      );
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'metrics: could not read the invalid-request count');
      return [];
    }
  }

  private async secondsSinceSuccess(): Promise<Array<[string, number]>> {
    if (!this.feedStates) return [];
    const now = (this.options.now ?? Date.now)();
    try {
      const states = await this.feedStates.store.all([...this.feedStates.feeds]);
      return states.map((state) => {
        const at = state.lastSuccessAt ? Date.parse(state.lastSuccessAt) : Number.NaN;
        return [state.feed, Number.isNaN(at) ? Number.POSITIVE_INFINITY : Math.max(0, (now - at) / 1000)];
      });
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'metrics: could not read feed states');
      return [];
    }
  }
}

/** Wraps `service` so every command's answer time is observed under its name and `platform`. */
export function instrumentCommands(
  service: CommandService,
  metrics: Metrics,
  platform: Platform,
): CommandService {
  return {
    async handle(request: CommandRequest, context: CommandContext): Promise<Reply> {
      const started = performance.now();
      try {
        return await service.handle(request, context);
      } finally {
        metrics.observeCommand(request.name, platform, performance.now() - started);
      }
    },
    async suggestTags(partial: string, limit: number): Promise<string[]> {
      const started = performance.now();
      try {
        return await service.suggestTags(partial, limit);
      } finally {
        metrics.observeCommand('autocomplete', platform, performance.now() - started);
      }
    },
  };
}
