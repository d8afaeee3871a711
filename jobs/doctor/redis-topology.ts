import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { clusterOptions, type RedisTopology } from '../redis-targets.js';

/** How the doctor reaches Redis: the composition root's `RedisTarget` fits. */
export interface RedisLocation {
  options: RedisOptions;
  /** Human-readable address, credentials left out. */
  where: string;
  /** One server when absent. */
  topology?: RedisTopology;
}

/** Connections to every master of the Redis, and how it is laid out, in words. */
export interface ReachedRedis {
  /** Appended to "<where> answers": e.g. ` (cluster with 3 masters)`. */
  topology: string;
  masters: { name: string; redis: Redis }[];
  close(): void;
}

/** Fail fast: the doctor reports, it does not wait for Redis to come back. */
function probeOptions(timeoutMs: number): RedisOptions {
  return {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  };
}

/** Connects, or throws with the reason: ioredis rejects with a bare "Connection is closed" otherwise. */
async function connected<T extends Redis | Cluster>(client: T): Promise<T> {
  let lastError: unknown;
  client.on('error', (error: unknown) => (lastError = error));
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    throw lastError instanceof Error ? lastError : error;
  }
}

async function reachCluster(
  location: RedisLocation,
  nodes: { host: string; port: number }[],
  timeoutMs: number,
) {
  const base = clusterOptions(location.options);
  const cluster = await connected(
    new Cluster(nodes, {
      ...base,
      redisOptions: { ...base.redisOptions, ...probeOptions(timeoutMs), lazyConnect: false },
      clusterRetryStrategy: () => null,
    }),
  );
  const masters = cluster.nodes('master').map((redis) => ({
    name: `${redis.options.host}:${redis.options.port}`,
    redis,
  }));
  return {
    topology: ` (cluster with ${masters.length} master${masters.length === 1 ? '' : 's'})`,
    masters,
    close: () => cluster.disconnect(),
  };
}

async function reachSentinel(location: RedisLocation, name: string, timeoutMs: number) {
  const redis = await connected(
    new Redis({ ...location.options, ...probeOptions(timeoutMs), sentinelRetryStrategy: () => null }),
  );
  // The primary's address as the connection resolved it through the sentinels.
  const address = `${redis.stream?.remoteAddress ?? '?'}:${redis.stream?.remotePort ?? '?'}`;
  return {
    topology: ` (sentinel "${name}", primary at ${address})`,
    masters: [{ name: address, redis }],
    close: () => redis.disconnect(),
  };
}

/** Connects to the Redis as the bot would, and to each of its masters. */
export async function reachRedis(location: RedisLocation, timeoutMs: number): Promise<ReachedRedis> {
  const topology = location.topology ?? { kind: 'single' };
  if (topology.kind === 'cluster') return reachCluster(location, topology.nodes, timeoutMs);
  if (topology.kind === 'sentinel') return reachSentinel(location, topology.name, timeoutMs);
  const redis = await connected(new Redis({ ...location.options, ...probeOptions(timeoutMs) }));
  return {
    topology: ' (single server)',
    masters: [{ name: location.where, redis }],
    close: () => redis.disconnect(),
  };
}
