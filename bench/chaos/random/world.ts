import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { webApi } from '@slack/bolt';
import { SlackAnnouncer } from '../../../adapters/slack/announcer.js';
import { queueOwnedClientOptions, SlackClient } from '../../../adapters/slack/client.js';
import { forgetWorkspace } from '../../../adapters/slack/uninstall.js';
import { createDeliverProcessor } from '../../../jobs/delivery/deliver.js';
import { createFanoutProcessor, type DeliverJobQueue } from '../../../jobs/delivery/fanout.js';
import { startGuardProbe } from '../../../jobs/delivery/guard-probe.js';
import { smoothLimit } from '../../../jobs/delivery/limits.js';
import { ANNOUNCE_JOB_OPTIONS, announceJobId, deliverJobOptions } from '../../../jobs/queues.js';
import { DeliveryError, type Announcer } from '../../../src/delivery/announcer.js';
import { MemoryDeliveryCounters } from '../../../src/delivery/counters.js';
import { MemoryDeliveryLedger } from '../../../src/delivery/ledger.js';
import { silentLogger } from '../../../src/logger.js';
import type { Platform, Post } from '../../../src/posts/post.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { MemoryChannelPacer, MemoryDisableGuard, MemoryTenantHolds } from './memory-safety.js';
import { SimPlatforms } from './platform.js';
import { QueueTwin, TwinWorker, type TwinProcessor } from './queue-twin.js';
import { RedisTwin, throughRedis, type ProcessLife } from './redis-twin.js';
import type { Rng } from './rng.js';
import type { Schedule } from './schedule.js';
import { discordTransport, slackTransport, type Wire } from './transport.js';

// One schedule's world on the virtual clock: the platforms in memory, Redis and its stores in memory, the
// queue twins, and two worker processes each running the real pipeline (fan-out, the deliver processor, the
// guard probe) over the real discord.js REST client and Slack WebClient on simulated transports.

const DISCORD_TOKEN = 'sim-discord-token';
const SLACK_TIMEOUT_MS = 10_000;
/** DELIVERY_ATTEMPTS' default. */
const ATTEMPTS = 8;
const PROCESSES = 2;

/** What every process shares: Redis's data. */
export interface Shared {
  redis: RedisTwin;
  subscriptions: MemorySubscriptionStore;
  ledger: MemoryDeliveryLedger;
  posts: MemoryPostStore;
  counters: MemoryDeliveryCounters;
  holds: MemoryTenantHolds;
  pacer: MemoryChannelPacer;
  guard: MemoryDisableGuard;
  queues: { announce: QueueTwin; discord: QueueTwin; slack: QueueTwin };
  /** Slack workspaces whose installation was deleted (`tokens_revoked`). */
  uninstalled: Set<string>;
}

/** A worker process: its announcers, workers and probes, until it is killed. */
class SimProcess implements ProcessLife {
  private living = true;
  private readonly workers: TwinWorker[] = [];
  private readonly stops: (() => void)[] = [];

  constructor(
    readonly name: string,
    shared: Shared,
    platforms: SimPlatforms,
    rng: Rng,
    tokens: Map<string, string>,
  ) {
    const wire: Wire = { platforms, rng, alive: () => this.living };
    const logger = silentLogger();
    const redis = <T extends object>(store: T) => throughRedis(store, shared.redis, this);
    const announcers: Record<'discord' | 'slack', Announcer> = {
      discord: new DiscordAnnouncer({
        token: DISCORD_TOKEN,
        apiUrl: 'https://discord.sim/api',
        makeRequest: discordTransport(wire),
      }),
      slack: new SlackAnnouncer({
        apiUrl: 'https://slack.sim/api/',
        timeoutMs: SLACK_TIMEOUT_MS,
        client: SlackClient.over(
          new webApi.WebClient(undefined, {
            ...queueOwnedClientOptions('https://slack.sim/api/', SLACK_TIMEOUT_MS),
            fetch: slackTransport(wire, SLACK_TIMEOUT_MS),
          }),
        ),
        tokens: {
          botToken: async (teamId) => {
            if (shared.uninstalled.has(teamId) || !tokens.has(teamId))
              throw DeliveryError.permanent(
                'not_installed',
                `the app is not installed in Slack workspace ${teamId}`,
              );
            return tokens.get(teamId)!;
          },
        },
      }),
    };
    const stores = {
      posts: redis(shared.posts),
      subscriptions: redis(shared.subscriptions),
      ledger: redis(shared.ledger),
      holds: redis(shared.holds),
      guard: redis(shared.guard),
    };
    for (const platform of ['discord', 'slack'] as const) {
      const queue = shared.queues[platform];
      const processor = createDeliverProcessor({
        platform,
        announcer: announcers[platform],
        ...stores,
        counters: shared.counters,
        logger,
        rateLimit: (ms) => queue.rateLimit(ms),
        pausePlatform: () => queue.pause(),
        ...(platform === 'slack' ? { pacing: { pacer: redis(shared.pacer), intervalMs: 1_000 } } : {}),
      });
      this.workers.push(
        new TwinWorker(
          `${name}/${platform}`,
          queue,
          processor as unknown as TwinProcessor,
          platform === 'discord' ? 10 : 20,
        ),
      );
      this.stops.push(
        startGuardProbe({
          platform,
          guard: stores.guard,
          announcer: announcers[platform],
          queue: redis(queue) as never,
          subscriptions: stores.subscriptions,
          logger,
        }),
      );
    }
    const deliverQueues: Partial<Record<Platform, DeliverJobQueue>> = {
      discord: redis(shared.queues.discord) as DeliverJobQueue,
      slack: redis(shared.queues.slack) as DeliverJobQueue,
    };
    const fanout = createFanoutProcessor({
      posts: stores.posts,
      subscriptions: stores.subscriptions,
      deliverQueues,
      jobOptions: deliverJobOptions(ATTEMPTS),
      logger,
      ledger: stores.ledger,
    });
    this.workers.push(
      new TwinWorker(`${name}/announce`, shared.queues.announce, fanout as unknown as TwinProcessor, 2),
    );
  }

  alive(): boolean {
    return this.living;
  }

  kill(): void {
    this.living = false;
    this.workers.forEach((worker) => worker.kill());
    this.stops.forEach((stop) => stop());
  }
}

/** A chaos post. */
export function simPost(n: number, at: number): Post {
  return {
    id: `sim-post-${n}`,
    feed: 'psf',
    title: `Post ${n}`,
    url: `https://pyfound.blogspot.com/sim-post-${n}.html`,
    author: 'PSF',
    publishedAt: new Date(at).toISOString(),
    updatedAt: null,
    tags: [],
    summary: `Summary of post ${n}.`,
    image: null,
  };
}

/** Builds the world of `schedule` at virtual time `start`, and plays its events on the virtual clock. */
export class SimWorld {
  readonly shared: Shared;
  readonly platforms: SimPlatforms;
  private readonly processes: SimProcess[] = [];
  private readonly tokens = new Map<string, string>();
  private generation = 0;

  constructor(
    readonly schedule: Schedule,
    readonly start: number,
    private readonly rng: Rng,
  ) {
    const redis = new RedisTwin();
    this.platforms = new SimPlatforms(rng, () => Date.now());
    this.shared = {
      redis,
      subscriptions: new MemorySubscriptionStore(),
      ledger: new MemoryDeliveryLedger(),
      posts: new MemoryPostStore(),
      counters: new MemoryDeliveryCounters(),
      holds: new MemoryTenantHolds(),
      pacer: new MemoryChannelPacer(),
      guard: new MemoryDisableGuard(),
      queues: {
        announce: new QueueTwin('announce', redis),
        discord: new QueueTwin('deliver-discord', redis, smoothLimit(48)),
        slack: new QueueTwin('deliver-slack', redis, smoothLimit(1_000)),
      },
      uninstalled: new Set(),
    };
  }

  /** Subscribes every channel, starts the processes and schedules every event. */
  async begin(): Promise<void> {
    const at = (ms: number) => this.start + ms;
    const subscribe = (platform: Platform, workspaceId: string, channelId: string) =>
      this.shared.subscriptions.put({
        platform,
        workspaceId,
        channelId,
        feeds: [],
        tags: [],
        options: {},
        createdBy: 'chaos',
        createdAt: new Date(this.start - 86_400_000).toISOString(),
        disabledReason: null,
        disabledAt: null,
      });
    for (const guild of this.schedule.guilds) {
      this.platforms.guilds.set(guild.id, {
        id: guild.id,
        removedAt: guild.removedAtMs === null ? null : at(guild.removedAtMs),
      });
      for (const channelId of guild.channels) {
        this.platforms.discordChannels.set(channelId, guild.id);
        await subscribe('discord', guild.id, channelId);
      }
    }
    for (const workspace of this.schedule.workspaces) {
      const token = `xoxb-sim-${workspace.teamId}`;
      this.tokens.set(workspace.teamId, token);
      this.platforms.workspaces.set(workspace.teamId, {
        teamId: workspace.teamId,
        token,
        revokedAt: workspace.revokedAtMs === null ? null : at(workspace.revokedAtMs),
        tight: workspace.tight,
        lastHistoryAt: null,
      });
      for (const channelId of workspace.channels) {
        this.platforms.slackChannels.set(channelId, workspace.teamId);
        await subscribe('slack', workspace.teamId, channelId);
      }
      // Slack sends `tokens_revoked` when the token is revoked; the web process forgets the workspace.
      if (workspace.revokedAtMs !== null) {
        const web: ProcessLife = { alive: () => true };
        const subscriptions = throughRedis(this.shared.subscriptions, this.shared.redis, web);
        this.after(workspace.revokedAtMs + workspace.eventAfterMs, () => {
          this.shared.uninstalled.add(workspace.teamId);
          void forgetWorkspace(workspace.teamId, undefined, { subscriptions, logger: silentLogger() });
        });
      }
    }
    this.platforms.faults = this.schedule.faults.map((fault) => ({
      ...fault,
      fromMs: at(fault.fromMs),
      toMs: at(fault.toMs),
    }));
    for (let i = 0; i < PROCESSES; i++) this.processes.push(this.spawn(i));
    for (const post of this.schedule.posts) this.after(post.atMs, () => void this.publish(post.n));
    for (const kill of this.schedule.kills) {
      this.after(kill.atMs, () => this.processes[kill.process]!.kill());
      this.after(kill.atMs + kill.backAfterMs, () => {
        this.processes[kill.process] = this.spawn(kill.process);
      });
    }
    for (const restart of this.schedule.redisRestarts)
      this.after(restart.atMs, () => this.shared.redis.restart(restart.downMs));
    for (const said of this.schedule.chatter)
      this.after(said.atMs, () => this.platforms.chatter(said.platform, said.channelId));
  }

  private spawn(i: number): SimProcess {
    this.generation += 1;
    return new SimProcess(
      `worker-${i}.${this.generation}`,
      this.shared,
      this.platforms,
      this.rng,
      this.tokens,
    );
  }

  private after(ms: number, run: () => void): void {
    setTimeout(run, Math.max(0, this.start + ms - Date.now()));
  }

  /** The poller's part: stores the post and queues its announce job. */
  private async publish(n: number): Promise<void> {
    const post = simPost(n, Date.now());
    await this.shared.redis.ready();
    await this.shared.posts.save([post]);
    await this.shared.queues.announce.add(
      'announce',
      { feed: post.feed, postId: post.id, announcedAt: new Date().toISOString() },
      { ...(ANNOUNCE_JOB_OPTIONS as object), jobId: announceJobId(post) },
    );
  }

  /** True once every queue is idle (a job the guard holds waits in delayed, so holds count too). */
  settled(): boolean {
    return Object.values(this.shared.queues).every((queue) => queue.idle());
  }

  stop(): void {
    this.processes.forEach((process) => process.kill());
  }
}
