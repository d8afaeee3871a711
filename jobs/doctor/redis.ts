import type { Redis } from 'ioredis';
import { reachRedis, type ReachedRedis, type RedisLocation } from './redis-topology.js';
import { describeError, fail, pass, unknown, warn, type DoctorCheck } from './report.js';

export type { RedisLocation } from './redis-topology.js';

/** BullMQ refuses older servers and recommends at least this one (bullmq's RedisConnection). */
const MIN_VERSION = [5, 0, 0];
const RECOMMENDED_VERSION = [6, 2, 0];

/** Whether dotted version `a` is lower than `b`. */
export function versionLower(a: string, b: number[]): boolean {
  const parts = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < b.length; i += 1) {
    const left = parts[i] ?? 0;
    const right = b[i]!;
    if (left !== right) return left < right;
  }
  return false;
}

/** `field:value` lines of an INFO section as a map. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

/** CONFIG GET, or null where managed services disable CONFIG. */
async function configGet(redis: Redis, name: string): Promise<string | null> {
  try {
    const reply = (await redis.config('GET', name)) as string[];
    return reply[1] ?? null;
  } catch {
    return null;
  }
}

function checkVersion(info: Map<string, string>): DoctorCheck {
  const version = info.get('redis_version') ?? 'unknown';
  const upgrade = 'upgrade Redis to 7.x (BullMQ needs at least 5.0 and recommends 6.2 or newer)';
  if (version === 'unknown' || versionLower(version, MIN_VERSION)) {
    return fail('redis: version', `Redis ${version} is too old for BullMQ`, upgrade);
  }
  if (versionLower(version, RECOMMENDED_VERSION)) {
    return fail('redis: version', `Redis ${version} is older than BullMQ's recommended 6.2`, upgrade);
  }
  return pass('redis: version', `Redis ${version}`);
}

/**
 * No persistence loses subscriptions and queued jobs on a restart: a failure in production (NODE_ENV=production,
 * as the Docker image sets), a warning for a local run, where a throwaway Redis is normal.
 */
async function checkPersistence(
  redis: Redis,
  info: Map<string, string>,
  production: boolean,
): Promise<DoctorCheck> {
  const name = 'redis: persistence';
  const appendonly =
    (await configGet(redis, 'appendonly')) ?? (info.get('aof_enabled') === '1' ? 'yes' : null);
  const save = await configGet(redis, 'save');
  const enableAof =
    'turn on AOF: appendonly yes in redis.conf (or redis-server --appendonly yes), as docker-compose.yml does';
  if (appendonly === 'yes')
    return pass(name, 'AOF on: acknowledged jobs and subscriptions survive a restart');
  if (save) {
    return pass(
      name,
      `RDB snapshots only (save "${save}"): a crash loses writes since the last snapshot`,
      enableAof,
    );
  }
  if (save === null && appendonly === null) {
    return unknown(
      name,
      'CONFIG is disabled, so the persistence settings cannot be read, and INFO shows AOF off',
      'confirm your provider persists data (AOF or snapshots)',
    );
  }
  const detail = 'neither AOF nor RDB snapshots: a restart loses every subscription, post and queued job';
  return production
    ? fail(name, `${detail} (NODE_ENV=production)`, enableAof)
    : warn(name, `${detail}; fine for a local try, not for production`, enableAof);
}

async function checkEviction(redis: Redis): Promise<DoctorCheck> {
  const policy =
    (await configGet(redis, 'maxmemory-policy')) ??
    parseInfo(await redis.info('memory')).get('maxmemory_policy');
  if (policy === 'noeviction')
    return pass('redis: eviction policy', 'noeviction: Redis never drops keys to free memory');
  if (policy === undefined) {
    return unknown(
      'redis: eviction policy',
      'neither CONFIG nor INFO shows maxmemory-policy',
      'confirm with your provider that maxmemory-policy is noeviction, as BullMQ requires',
    );
  }
  return fail(
    'redis: eviction policy',
    `maxmemory-policy is ${policy}: under memory pressure Redis could drop queued jobs and state`,
    'set maxmemory-policy noeviction (redis.conf, or CONFIG SET maxmemory-policy noeviction), as BullMQ requires',
  );
}

/** The remedy for why Redis did not answer: credentials, a wrong host, a firewall, or no Redis at all. */
export function redisFix(detail: string): string {
  if (/NOAUTH|WRONGPASS|invalid password/i.test(detail))
    return 'put the right user and password in REDIS_URL (redis://user:password@host:6379)';
  if (/ENOTFOUND|EAI_AGAIN/.test(detail)) return 'the host in REDIS_URL does not resolve: check its spelling';
  if (/ETIMEDOUT|no answer in time/i.test(detail))
    return 'nothing answered in time: check the host and port in REDIS_URL and any firewall between';
  return 'start Redis (docker compose up -d redis, or redis-server) or point REDIS_URL at a running one';
}

/** Reachability, version, persistence and eviction policy of the Redis the bot would use (each master). */
export async function checkRedis(
  location: RedisLocation,
  timeoutMs: number,
  production = false,
): Promise<DoctorCheck[]> {
  let reached: ReachedRedis;
  try {
    reached = await reachRedis(location, timeoutMs);
  } catch (error) {
    const detail = describeError(error);
    return [fail('redis: reachable', `${location.where}: ${detail}`, redisFix(detail))];
  }
  try {
    const perMaster = await Promise.all(
      reached.masters.map(async ({ name, redis }) => {
        const info = parseInfo(`${await redis.info('server')}\n${await redis.info('persistence')}`);
        const checks = [
          checkVersion(info),
          await checkPersistence(redis, info, production),
          await checkEviction(redis),
        ];
        return checks.map((check) => ({ name, check }));
      }),
    );
    return [pass('redis: reachable', `${location.where} answers${reached.topology}`), ...worstOf(perMaster)];
  } catch (error) {
    return [
      fail(
        'redis: reachable',
        `${location.where}: ${describeError(error)}`,
        'check that REDIS_URL names a Redis server and its password is right',
      ),
    ];
  } finally {
    reached.close();
  }
}

/** Each check once: the first master that fails it (else warns or cannot tell), named; else the first's pass. */
function worstOf(perMaster: { name: string; check: DoctorCheck }[][]): DoctorCheck[] {
  const first = perMaster[0] ?? [];
  return first.map((_, i) => {
    const entries = perMaster.map((checks) => checks[i]!);
    const failing =
      entries.find((entry) => !entry.check.ok) ?? entries.find((entry) => entry.check.mark !== undefined);
    if (failing && perMaster.length > 1)
      return { ...failing.check, detail: `master ${failing.name}: ${failing.check.detail}` };
    if (failing) return failing.check;
    const passed = first[i]!.check;
    return perMaster.length > 1
      ? { ...passed, detail: `${passed.detail} (all ${perMaster.length} masters)` }
      : passed;
  });
}
