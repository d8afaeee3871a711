import { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { configuredRedis } from '../../../jobs/redis.js';
import { clusterOptions } from '../../../jobs/redis-targets.js';
import { SentinelRedis } from '../../../jobs/sentinel-redis.js';
import { loadConfig } from '../../../src/config.js';

// How each topology is reached; nothing connects (every client here is lazy and never used).

describe('configuredRedis', () => {
  it('keeps rediss:// (TLS), user, password and database for one server', () => {
    const target = configuredRedis(loadConfig({ REDIS_URL: 'rediss://bot:s3cret@redis.example:6380/2' }));
    expect(target.topology).toEqual({ kind: 'single' });
    expect(target.options).toMatchObject({
      host: 'redis.example',
      port: 6380,
      db: 2,
      username: 'bot',
      password: 's3cret',
      tls: {},
    });
    expect(target.connection).toBe(target.options);
    expect(target.where).not.toContain('s3cret');
  });

  it('reaches a cluster through its seed nodes, with REDIS_URL’s credentials and TLS on every node', () => {
    const config = loadConfig({
      REDIS_URL: 'rediss://:s3cret@ignored.example:6379',
      REDIS_CLUSTER_NODES: 'node-1:7000,node-2:7001',
    });
    expect(config.redis.prefix).toBe('{psf}');
    const target = configuredRedis(config);
    expect(target.topology).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'node-1', port: 7000 },
        { host: 'node-2', port: 7001 },
      ],
    });
    const options = clusterOptions(target.options);
    expect(options.redisOptions).toMatchObject({ password: 's3cret', tls: {}, maxRetriesPerRequest: null });
    expect(options.redisOptions).not.toHaveProperty('db');
    expect(options.redisOptions).not.toHaveProperty('host');
    expect(options.dnsLookup).toBeTypeOf('function');
    const client = target.connect();
    expect(client).toBeInstanceOf(Cluster);
    client.disconnect();
    expect(target.where).toBe('cluster node-1:7000,node-2:7001');
  });

  it('asks the sentinels for the primary and follows a failover, TLS to the sentinels too', () => {
    const target = configuredRedis(
      loadConfig({
        REDIS_URL: 'rediss://:s3cret@ignored.example:6379/1',
        REDIS_SENTINELS: 's-1:26379,s-2:26379',
        REDIS_SENTINEL_NAME: 'psf',
        REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
      }),
    );
    expect(target.topology).toMatchObject({ kind: 'sentinel', name: 'psf' });
    expect(target.options).toMatchObject({
      sentinels: [
        { host: 's-1', port: 26379 },
        { host: 's-2', port: 26379 },
      ],
      name: 'psf',
      role: 'master',
      password: 's3cret',
      db: 1,
      tls: {},
      enableTLSForSentinelMode: true,
      sentinelPassword: 'sentinel-secret',
      failoverDetector: true,
    });
    expect(target.options).not.toHaveProperty('host');
    // A write that reached a primary just demoted is retried on the new one.
    const reconnect = target.options.reconnectOnError as (error: Error) => unknown;
    expect(reconnect(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(reconnect(new Error('ERR something else'))).toBe(false);
    // Connections that a failover announced mid-reconnect cannot end for good, BullMQ's and their copies too.
    const client = target.connect();
    expect(client).toBeInstanceOf(SentinelRedis);
    client.disconnect();
    const shared = target.connection as SentinelRedis;
    expect(shared).toBeInstanceOf(SentinelRedis);
    expect(target.connection).toBe(shared);
    const copy = shared.duplicate({ connectionName: 'worker' });
    expect(copy).toBeInstanceOf(SentinelRedis);
    expect(copy.options).toMatchObject({ name: 'psf', failoverDetector: true, connectionName: 'worker' });
    copy.disconnect();
    shared.disconnect();
  });

  it('refuses a cluster prefix outside braces, and a cluster together with sentinels', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'a:1', REDIS_PREFIX: 'psf' })).toThrow(
      /on a Redis Cluster REDIS_PREFIX must be a hash tag in braces, e\.g\. \{psf\}/,
    );
    expect(() =>
      loadConfig({ REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2', REDIS_SENTINEL_NAME: 'x' }),
    ).toThrow(/exclude each other/);
    expect(() => loadConfig({ REDIS_SENTINELS: 'b:2' })).toThrow(/go together/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'a:port' })).toThrow(/"a:port" is not host:port/);
    expect(loadConfig({ REDIS_PREFIX: '{mine}' }).redis.prefix).toBe('{mine}');
  });
});
