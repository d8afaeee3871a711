import type { DigestSchedule } from '../digests/period.js';
import type { FeedConfig } from './feeds.js';
import type { HubChannel } from './hubs.js';
import type { DeclaredSubscription } from './subscriptions.js';

/** The whole configuration, parsed once at start-up. */
export interface Config {
  redis: {
    url: string;
    explicit: boolean;
    prefix: string;
    /** REDIS_CLUSTER_NODES: the seed nodes of a Redis Cluster. */
    cluster?: { host: string; port: number }[];
    /** REDIS_SENTINELS and REDIS_SENTINEL_NAME: a primary that Sentinel watches. */
    sentinel?: { sentinels: { host: string; port: number }[]; name: string; password?: string };
  };
  feeds: FeedConfig[];
  subscriptions: DeclaredSubscription[];
  pollIntervalMs: number;
  /** Subscriptions chat commands may create per workspace (declared ones not counted); 0 means no limit. */
  maxSubscriptionsPerWorkspace: number;
  maxAgeMs: number;
  fetch: { timeoutMs: number; maxBytes: number; allowPrivateRedirects: boolean };
  port: number;
  discord?: {
    token: string;
    applicationId: string;
    mode: 'gateway' | 'http';
    publicKey?: string;
    apiUrl: string;
    requestsPerSecond: number;
    /** DISCORD_HUB_CHANNELS: announcement channels the operator runs, one per feed, that other servers follow. */
    hubs: HubChannel[];
  };
  slack?: {
    botToken?: string;
    signingSecret: string;
    appToken?: string;
    oauth?: { clientId: string; clientSecret: string; stateSecret: string };
    apiUrl: string;
    adminUsers: string[];
    channelIntervalMs: number;
    /** SLACK_RATE_LIMIT: an optional ceiling in messages per second across every worker and workspace. */
    messagesPerSecond?: number;
    /** SLACK_WORKSPACE_RATE: messages per second per workspace, shared by every worker process. */
    workspacePerSecond?: number;
    /** SLACK_CONCURRENCY: Slack deliveries each worker process runs at once. */
    concurrency?: number;
  };
  deliveryAttempts: number;
  /** How long in-flight deliveries get to finish on SIGTERM before their connections are cut. */
  shutdownGraceMs: number;
  /** When daily and weekly digests go out (UTC). */
  digest: DigestSchedule;
  adminToken?: string;
  /** Bearer token `/metrics` asks for; unset, `/metrics` is open. */
  metricsToken?: string;
  /** Seals Slack installations at rest: the current key, and retired keys still accepted for reading. */
  encryption?: { currentKey: string; oldKeys: string[] };
  /** NODE_ENV=production (the Docker image): doctor holds Redis to production standards. */
  production?: true;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** Every problem with the environment, each in plain words. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(
      `configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n- ${problems.join('\n- ')}`,
    );
  }
}
