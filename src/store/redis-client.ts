import type { Cluster, Redis } from 'ioredis';

/** A connection to Redis: one server (or a Sentinel-guarded primary), or a Redis Cluster. */
export type RedisClient = Redis | Cluster;
