/**
 * The Redis the tests and the bench use: `TEST_REDIS_URL` (host, port, database, user and password), default
 * `redis://127.0.0.1:6379`. Never `REDIS_URL`: that names a developer's real Redis, which a test run must not
 * touch by accident. Every test file and scenario still keeps to its own key prefix.
 */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL?.trim() || 'redis://127.0.0.1:6379';

/** The connection options of TEST_REDIS_URL, for ioredis and BullMQ (`connection`). */
export interface TestRedisOptions {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
}

function parse(url: string): TestRedisOptions {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:') {
    throw new Error(`TEST_REDIS_URL must be a redis:// URL, not ${parsed.protocol}`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  const options: TestRedisOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db: db === '' ? 0 : Number(db),
  };
  if (!Number.isInteger(options.db) || options.db < 0)
    throw new Error(`TEST_REDIS_URL: bad database "${db}"`);
  if (parsed.username !== '') options.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') options.password = decodeURIComponent(parsed.password);
  return options;
}

/** TEST_REDIS_URL as connection options: spread a copy, since ioredis and BullMQ keep the object. */
export function testRedisOptions(): TestRedisOptions {
  return parse(TEST_REDIS_URL);
}

/** `host:port` of TEST_REDIS_URL, for messages. */
export function testRedisWhere(): string {
  const { host, port } = testRedisOptions();
  return `${host}:${port}`;
}
