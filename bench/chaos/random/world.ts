import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { webApi } from '@slack/bolt';
import { SlackAnnouncer } from '../../../adapters/slack/announcer.js';
import { queueOwnedClientOptions, SlackClient } from '../../../adapters/slack/client.js';
import { forgetWorkspace } from '../../../adapters/slack/uninstall.js';
import { createDeliverProcessor } from '../../../jobs/delivery/deliver.js';
import { createDigestPlanner, type DigestJobQueue } from '../../../jobs/delivery/digest-plan.js';
import { createFanoutProcessor, type DeliverJobQueue } from '../../../jobs/delivery/fanout.js';
import { startGuardProbe } from '../../../jobs/delivery/guard-probe.js';
import { smoothLimit } from '../../../jobs/delivery/limits.js';
import { editQueue, finalDigests, perPostJobs } from '../../../jobs/delivery/lookup.js';
import { CROSSPOSTED_EDIT_INTERVAL_MS } from '../../../jobs/delivery/pacers.js';
import { BullAnnouncementSink, deliverJobOptions } from '../../../jobs/queues.js';
import type { Queue } from 'bullmq';
import type { CommandDeps } from '../../../src/commands/command-deps.js';
import { subscribe } from '../../../src/commands/subscription-commands.js';
import { MemoryAnnouncementLog } from '../../../src/digests/announcement-log.js';
import { MemoryDigestHistory } from '../../../src/digests/digest-history.js';
import { MemoryDigestMarks } from '../../../src/digests/digest-marks.js';
import type { DigestSchedule } from '../../../src/digests/period.js';
import { MemoryEditSequence } from '../../../src/posts/edit-sequence.js';
import { contentVersion } from '../../../src/posts/version.js';
import { DeliveryError, type Announcer } from '../../../src/delivery/announcer.js';
import { MemoryDeliveryCounters } from '../../../src/delivery/counters.js';
import { MemoryDeliveryLedger } from '../../../src/delivery/ledger.js';
import { silentLogger } from '../../../src/logger.js';
import type { Platform, Post } from '../../../src/posts/post.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { MemoryChannelPacer, MemoryDisableGuard, MemoryTenantHolds } from './memory-safety.js';
import { MemoryWorkspaceBudgetPacer } from './memory-pacing.js';
import { SimPlatforms } from './platform.js';
import { QueueTwin, TwinWorker, type TwinProcessor } from './queue-twin.js';
import { RedisTwin, throughRedis, type ProcessLife } from './redis-twin.js';
import type { Rng } from './rng.js';
import type { Cadence, ChannelFeature, Schedule } from './schedule.js';
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
  /** Slack's pacing: each channel, and each workspace's SLACK_WORKSPACE_RATE budget (a plain schedule: none). */
  pacer: MemoryWorkspaceBudgetPacer | MemoryChannelPacer;
  /** Discord's edit pacing (crossposted messages, and edits of one message). */
  editPacer: MemoryChannelPacer;
  guard: MemoryDisableGuard;
  announcements: MemoryAnnouncementLog;
  marks: MemoryDigestMarks;
  history: MemoryDigestHistory;
  editSequence: MemoryEditSequence;
  digestSchedule: DigestSchedule;
  queues: { announce: QueueTwin; digest: QueueTwin; discord: QueueTwin; slack: QueueTwin };
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
            // Its own warning per lost answer ("http request failed") would flood the run's output.
            logLevel: webApi.LogLevel.ERROR,
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
    const digests = {
      announcements: redis(shared.announcements),
      marks: redis(shared.marks),
      history: redis(shared.history),
    };
    const announceQueue = redis(shared.queues.announce) as unknown as Queue;
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
        digests,
        perPost: perPostJobs(announceQueue, redis(queue) as unknown as Queue),
        editQueue: editQueue(redis(queue) as unknown as Queue),
        ...(platform === 'slack'
          ? { pacing: { pacer: redis(shared.pacer), intervalMs: 1_000 } }
          : { editPacing: { pacer: redis(shared.editPacer), intervalMs: CROSSPOSTED_EDIT_INTERVAL_MS } }),
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
      announcements: digests.announcements,
    });
    this.workers.push(
      new TwinWorker(`${name}/announce`, shared.queues.announce, fanout as unknown as TwinProcessor, 2),
    );
    const planner = createDigestPlanner({
      subscriptions: stores.subscriptions,
      deliverQueues: deliverQueues as unknown as Partial<Record<Platform, DigestJobQueue>>,
      jobOptions: deliverJobOptions(ATTEMPTS),
      schedule: shared.digestSchedule,
      now: () => new Date(),
      logger,
    });
    this.workers.push(
      new TwinWorker(`${name}/digest`, shared.queues.digest, planner as unknown as TwinProcessor, 1),
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

/** The web process (commands, Slack events, the poller): never killed. */
const WEB: ProcessLife = { alive: () => true };

/** A chaos post at its revision `rev` (1 when published; each edit shows the next in its summary). */
export function simPost(n: number, at: number, rev = 1): Post {
  return {
    id: `sim-post-${n}`,
    feed: 'psf',
    title: `Post ${n}`,
    url: `https://pyfound.blogspot.com/sim-post-${n}.html`,
    author: 'PSF',
    publishedAt: new Date(at).toISOString(),
    updatedAt: rev > 1 ? new Date().toISOString() : null,
    tags: [],
    summary: `Summary of post ${n} (rev ${rev}).`,
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
  /** Each published post: when, and the revision it is at. */
  readonly published = new Map<number, { at: number; rev: number }>();
  /** Each digest switch as it happened. */
  readonly switches: { channelId: string; at: number; to: Cadence | null }[] = [];

  constructor(
    readonly schedule: Schedule,
    readonly start: number,
    private readonly rng: Rng,
  ) {
    const redis = new RedisTwin();
    this.platforms = new SimPlatforms(rng, () => Date.now());
    this.platforms.slackWorkspaceRate = schedule.features.slackWorkspaceRate;
    const boundary = new Date(start + (schedule.features.digestAtMs ?? 0));
    const budget = schedule.features.slackWorkspaceRate;
    this.shared = {
      redis,
      subscriptions: new MemorySubscriptionStore(),
      ledger: new MemoryDeliveryLedger(),
      posts: new MemoryPostStore(),
      counters: new MemoryDeliveryCounters(),
      holds: new MemoryTenantHolds(),
      pacer: budget === null ? new MemoryChannelPacer() : new MemoryWorkspaceBudgetPacer(budget),
      editPacer: new MemoryChannelPacer(),
      guard: new MemoryDisableGuard(),
      announcements: new MemoryAnnouncementLog(),
      marks: new MemoryDigestMarks(),
      history: new MemoryDigestHistory(),
      editSequence: new MemoryEditSequence(),
      // DIGEST_TIME at the schedule's boundary (whole seconds are not configurable: the boundary is at :00).
      digestSchedule: {
        hour: boundary.getUTCHours(),
        minute: boundary.getUTCMinutes(),
        weekday: boundary.getUTCDay(),
      },
      queues: {
        announce: new QueueTwin('announce', redis),
        digest: new QueueTwin('digest', redis),
        discord: new QueueTwin('deliver-discord', redis, smoothLimit(48)),
        slack: new QueueTwin('deliver-slack', redis, smoothLimit(1_000)),
      },
      uninstalled: new Set(),
    };
  }

  /** Subscribes every channel, starts the processes and schedules every event. */
  async begin(): Promise<void> {
    const at = (ms: number) => this.start + ms;
    const features = new Map(this.schedule.features.channels.map((f) => [f.channelId, f]));
    const subscribe = (platform: Platform, workspaceId: string, channelId: string) => {
      const feature = features.get(channelId);
      return this.shared.subscriptions.put({
        platform,
        workspaceId,
        channelId,
        feeds: [],
        tags: [],
        options: {
          ...(feature?.kind === 'forum' ? { forum: true } : {}),
          ...(feature?.crosspost ? { crosspost: true } : {}),
          ...(feature?.thread ? { thread: true } : {}),
          ...(feature?.digest ? { digest: feature.digest } : {}),
        },
        createdBy: 'chaos',
        createdAt: new Date(this.start - 86_400_000).toISOString(),
        disabledReason: null,
        disabledAt: null,
      });
    };
    for (const guild of this.schedule.guilds) {
      this.platforms.guilds.set(guild.id, {
        id: guild.id,
        removedAt: guild.removedAtMs === null ? null : at(guild.removedAtMs),
      });
      for (const channelId of guild.channels) {
        this.platforms.discordChannels.set(channelId, guild.id);
        const feature = features.get(channelId);
        if (feature?.kind) this.platforms.discordKinds.set(channelId, feature.kind);
        if (feature?.archiveAfterMs) this.platforms.forumArchiveMs.set(channelId, feature.archiveAfterMs);
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
        sends: [],
        updates: [],
      });
      for (const channelId of workspace.channels) {
        this.platforms.slackChannels.set(channelId, workspace.teamId);
        await subscribe('slack', workspace.teamId, channelId);
      }
      // Slack sends `tokens_revoked` when the token is revoked; the web process forgets the workspace.
      if (workspace.revokedAtMs !== null) {
        const subscriptions = throughRedis(this.shared.subscriptions, this.shared.redis, WEB);
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
    for (const edit of this.schedule.features.edits) this.after(edit.atMs, () => void this.edit(edit.n));
    for (const feature of this.schedule.features.channels) {
      const change = feature.digestSwitch;
      if (change) this.after(change.atMs, () => void this.switchDigest(feature, change.to));
    }
    // The digest job schedulers fire at the boundary: one planning job per cadence.
    const digestAtMs = this.schedule.features.digestAtMs;
    if (digestAtMs !== null)
      this.after(digestAtMs, () => {
        for (const cadence of ['daily', 'weekly'] as const)
          void this.shared.queues.digest.add(
            'digest',
            { cadence },
            {
              attempts: 10,
              backoff: { type: 'exponential', delay: 1_000 },
              jobId: `repeat:digest-${cadence}:${this.start + digestAtMs}`,
            },
          );
      });
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

  /** The poller's sink over the announce queue, as the web process holds it. */
  private sink(): BullAnnouncementSink {
    return new BullAnnouncementSink(
      throughRedis(this.shared.queues.announce, this.shared.redis, WEB) as unknown as Queue,
      () => new Date(),
      throughRedis(this.shared.announcements, this.shared.redis, WEB),
      throughRedis(this.shared.editSequence, this.shared.redis, WEB),
    );
  }

  /** The poller's part: stores the post, logs its announcement and queues its announce job. */
  private async publish(n: number): Promise<void> {
    const post = simPost(n, Date.now());
    this.published.set(n, { at: Date.now(), rev: 1 });
    await this.shared.redis.ready();
    await this.shared.posts.save([post]);
    await this.sink().enqueue([post]);
  }

  /** The poller finds a post changed: stores its next revision, then queues its edit (as `poller.ts`). */
  private async edit(n: number): Promise<void> {
    const published = this.published.get(n);
    if (!published) return;
    published.rev += 1;
    const post = simPost(n, published.at, published.rev);
    await this.shared.redis.ready();
    await this.shared.posts.save([post]);
    await this.sink().enqueueEdits([{ post, version: contentVersion(post) }]);
  }

  /** A manager runs `subscribe digest daily|weekly|off` in the channel (the real command). */
  private async switchDigest(feature: ChannelFeature, to: Cadence | null): Promise<void> {
    const web = <T extends object>(store: T) => throughRedis(store, this.shared.redis, WEB);
    const queues = [web(this.shared.queues.discord), web(this.shared.queues.slack)] as unknown as Queue[];
    const deps = {
      subscriptions: web(this.shared.subscriptions),
      feeds: [{ name: 'psf' }],
      finalDigest: finalDigests(queues, ATTEMPTS),
      digestSchedule: this.shared.digestSchedule,
    } as unknown as CommandDeps;
    const reply = await subscribe(
      deps,
      {
        platform: feature.platform,
        workspaceId: feature.workspaceId,
        channelId: feature.channelId,
        userId: 'manager',
        canManage: true,
        ...(feature.platform === 'discord' ? { forum: feature.kind === 'forum' } : {}),
      },
      undefined,
      { digest: to ?? 'off' },
    );
    if (reply.kind === 'error') throw new Error(`subscribe digest failed: ${reply.message}`);
    this.switches.push({ channelId: feature.channelId, at: Date.now(), to });
  }

  /** True once every queue is idle (a job the guard holds waits in delayed, so holds count too). */
  settled(): boolean {
    return Object.values(this.shared.queues).every((queue) => queue.idle());
  }

  stop(): void {
    this.processes.forEach((process) => process.kill());
  }
}
