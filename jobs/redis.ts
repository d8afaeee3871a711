import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../src/config.js';
import type { Logger } from '../src/logger.js';
import type { RedisClient } from '../src/store/redis-client.js';
import { clusterTarget, sentinelTarget, singleTarget, type RedisTarget } from './redis-targets.js';
import { within } from './within.js';

export type { HostPort, RedisTarget, RedisTopology } from './redis-targets.js';

/** Where the private Redis of a zero-setup start keeps its AOF and socket. */
export const DATA_DIR = resolve(import.meta.dirname, '..', 'data');
const SOCKET = resolve(DATA_DIR, 'redis.sock');

export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

async function answers(options: RedisOptions): Promise<boolean> {
  const probe = new Redis({
    ...options,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** The Redis a URL names. */
export function redisFromUrl(url: string): RedisTarget {
  const { options, where } = urlOptions(url);
  return singleTarget(options, where);
}

/** A URL's connection options (host, port, db, user, password, TLS for rediss://) and its address. */
function urlOptions(url: string): { options: RedisOptions; where: string } {
  const parsed = new URL(url);
  const db = Number(parsed.pathname.slice(1) || 0);
  const options: RedisOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || 6379),
    db: Number.isInteger(db) ? db : 0,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  return { options, where: `${parsed.protocol}//${parsed.host}${parsed.pathname}` };
}

/**
 * The configured Redis without starting anything: a cluster (REDIS_CLUSTER_NODES), a Sentinel-guarded
 * primary (REDIS_SENTINELS), else the server REDIS_URL names. With a cluster or Sentinel, REDIS_URL's user,
 * password, database and rediss:// (TLS) apply to every node; its host is not used.
 */
export function configuredRedis(config: Config): RedisTarget {
  const { host: _host, port: _port, ...node } = urlOptions(config.redis.url).options;
  if (config.redis.cluster) return clusterTarget(config.redis.cluster, node);
  if (config.redis.sentinel) {
    const { sentinels, name, password } = config.redis.sentinel;
    return sentinelTarget(sentinels, name, node, password);
  }
  return redisFromUrl(config.redis.url);
}

/**
 * Resolves the Redis to use. A cluster or Sentinel as configured; with REDIS_URL set, exactly that.
 * Without it: 127.0.0.1:6379 if it answers, else a private redis-server from PATH on a socket in data/
 * (AOF on), shared by every psf-bot process of this checkout and stopped by the process that started it.
 */
export async function resolveRedis(config: Config, logger: Logger): Promise<RedisTarget> {
  const configured = configuredRedis(config);
  if (configured.topology.kind !== 'single') return configured;
  if (config.redis.explicit || (await answers(configured.options))) return configured;

  const socket = { path: SOCKET };
  if (existsSync(SOCKET) && (await answers(socket))) return singleTarget(socket, `unix:${SOCKET} (private)`);

  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error) {
    throw new RedisUnavailableError(
      'Redis is not answering on 127.0.0.1:6379 and there is no redis-server on PATH: install Redis ' +
        '(apt-get install redis-server, or brew install redis) or set REDIS_URL',
    );
  }
  mkdirSync(DATA_DIR, { recursive: true });
  rmSync(SOCKET, { force: true });
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      '0',
      '--unixsocket',
      SOCKET,
      '--unixsocketperm',
      '700',
      '--dir',
      DATA_DIR,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--logfile',
      resolve(DATA_DIR, 'redis.log'),
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100 && !(await answers(socket)); i++) await new Promise((r) => setTimeout(r, 50));
  if (!(await answers(socket))) {
    child.kill('SIGKILL');
    throw new RedisUnavailableError(
      `started redis-server but it did not answer on ${SOCKET}; see data/redis.log`,
    );
  }
  logger.info(
    { socket: SOCKET },
    'no Redis on 127.0.0.1:6379: started a private redis-server (data in data/)',
  );
  const release = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await within(exited, 5_000);
  };
  process.once('exit', () => child.exitCode === null && child.kill('SIGTERM'));
  return singleTarget(socket, `unix:${SOCKET} (private)`, release);
}

/** The private Redis of a zero-setup start, when one is already answering; never starts one. */
export async function privateRedisIfRunning(): Promise<RedisTarget | null> {
  const socket = { path: SOCKET };
  return existsSync(SOCKET) && (await answers(socket))
    ? singleTarget(socket, `unix:${SOCKET} (private)`)
    : null;
}

/** Connects and fails with one plain line when Redis is down. */
export async function connectRedis(redisTarget: RedisTarget): Promise<RedisClient> {
  const redis = redisTarget.connect();
  let lastError: unknown;
  redis.on('error', (error) => (lastError = error));
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    const reason = error instanceof Error ? error.message : String(lastError ?? error);
    throw new RedisUnavailableError(`Redis at ${redisTarget.where} is not reachable: ${reason}`);
  }
}
