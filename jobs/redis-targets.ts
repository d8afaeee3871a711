import type { ConnectionOptions } from 'bullmq';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisClient } from '../src/store/redis-client.js';
import { SentinelRedis } from './sentinel-redis.js';
import { within } from './within.js';

/** A Redis node or sentinel address. */
export interface HostPort {
  host: string;
  port: number;
}

/** How the Redis is laid out: one server, a Redis Cluster, or a primary that Sentinel watches. */
export type RedisTopology =
  | { kind: 'single' }
  | { kind: 'cluster'; nodes: HostPort[] }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string };

/** How to reach Redis, and how to let go of anything started for it. */
export interface RedisTarget {
  topology: RedisTopology;
  /** Each connection's own options (auth, TLS, db; for Sentinel also the sentinels and the primary's name). */
  options: RedisOptions;
  /** What BullMQ queues and workers are given: options for one server or Sentinel, one shared `Cluster`. */
  readonly connection: ConnectionOptions;
  /** Human-readable address, for log lines and errors. */
  where: string;
  connect(): RedisClient;
  /** Closes the shared BullMQ connection, and stops the private redis-server if this process started it. */
  release(): Promise<void>;
}

/** Options every connection shares; BullMQ workers require `maxRetriesPerRequest: null`. */
export const BASE: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: true };

/**
 * A write that reached a primary just demoted by a failover fails with READONLY: reconnect (Sentinel then
 * names the new primary) and resend it. https://github.com/redis/ioredis#reconnect-on-error
 */
function reconnectOnReadonly(error: Error): 2 | false {
  return error.message.startsWith('READONLY') ? 2 : false;
}

/** One server (`options` holds host and port, or a socket path). */
export function singleTarget(
  options: RedisOptions,
  where: string,
  release: () => Promise<void> = async () => undefined,
): RedisTarget {
  return {
    topology: { kind: 'single' },
    options,
    connection: options,
    where,
    connect: () => new Redis({ ...BASE, ...options }),
    release,
  };
}

/**
 * The primary that `sentinels` know as `name`; every connection follows a failover, and is a
 * `SentinelRedis`, which ioredis's failover detector cannot end for good. BullMQ gets one such connection,
 * shared by every queue and worker of this process (a worker duplicates it, as a `SentinelRedis` too):
 * from options alone BullMQ would open plain ioredis connections, which can end for good.
 */
export function sentinelTarget(
  sentinels: HostPort[],
  name: string,
  node: RedisOptions,
  sentinelPassword?: string,
): RedisTarget {
  const options: RedisOptions = {
    ...node,
    sentinels,
    name,
    role: 'master',
    failoverDetector: true,
    reconnectOnError: reconnectOnReadonly,
    ...(sentinelPassword ? { sentinelPassword } : {}),
    ...(node.tls ? { enableTLSForSentinelMode: true, sentinelTLS: node.tls } : {}),
  };
  const where = `sentinel "${name}" via ${sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
  let shared: SentinelRedis | undefined;
  return {
    topology: { kind: 'sentinel', sentinels, name },
    options,
    get connection(): ConnectionOptions {
      if (!shared) {
        shared = new SentinelRedis({ ...BASE, ...options });
        shared.on('error', () => undefined); // BullMQ's own listeners report errors, throttled
      }
      return shared;
    },
    where,
    connect: () => new SentinelRedis({ ...BASE, ...options }),
    async release() {
      const redis = shared;
      shared = undefined;
      // quit() waits for a reply that never comes while no primary answers: bound it, then cut.
      if (redis && !(await within(redis.quit(), 2_000).catch(() => false))) redis.disconnect();
    },
  };
}

/** ioredis `Cluster` options over each node's `node` options (a cluster has database 0 only). */
export function clusterOptions(node: RedisOptions, lazyConnect = true): ClusterOptions {
  const { db: _db, host: _host, port: _port, ...redisOptions } = node;
  return {
    redisOptions: { ...redisOptions, maxRetriesPerRequest: null },
    enableReadyCheck: true,
    lazyConnect,
    // Managed clusters with TLS present certificates for their hostnames, which a resolved IP fails.
    ...(node.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
  };
}

/**
 * A Redis Cluster. BullMQ gets one `Cluster` shared by every queue and worker of this process (a worker
 * duplicates it for its blocking reads): BullMQ connects to a cluster only through an instance.
 * https://docs.bullmq.io/bull/patterns/redis-cluster
 */
export function clusterTarget(nodes: HostPort[], node: RedisOptions): RedisTarget {
  let shared: Cluster | undefined;
  const where = `cluster ${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  return {
    topology: { kind: 'cluster', nodes },
    options: node,
    get connection(): ConnectionOptions {
      if (!shared) {
        shared = new Cluster(nodes, clusterOptions(node, false));
        shared.on('error', () => undefined); // BullMQ's own listeners report errors, throttled
      }
      return shared;
    },
    where,
    connect: () => new Cluster(nodes, clusterOptions(node)),
    async release() {
      const cluster = shared;
      shared = undefined;
      if (cluster) await cluster.quit().catch(() => cluster.disconnect());
    },
  };
}
