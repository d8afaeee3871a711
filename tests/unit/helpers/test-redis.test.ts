import { afterEach, describe, expect, it, vi } from 'vitest';

/** Loads the test and bench Redis modules afresh under the environment `env` sets. */
async function loadWith(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const testRedis = await import('../../helpers/test-redis.js');
  const cli = await import('../../helpers/cli.js');
  const bench = await import('../../../bench/lib/redis.js');
  return { testRedis, cli, bench };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('the Redis tests and the bench use', () => {
  it('is 127.0.0.1:6379 by default and never the REDIS_URL of the environment', async () => {
    const { testRedis, cli, bench } = await loadWith({
      TEST_REDIS_URL: undefined,
      REDIS_URL: 'redis://prod.example:6379/0',
    });
    expect(testRedis.testRedisOptions()).toEqual({ host: '127.0.0.1', port: 6379, db: 0 });
    expect(cli.childEnv({}).REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(bench.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('takes host, port, database and password from TEST_REDIS_URL', async () => {
    const { testRedis, cli, bench } = await loadWith({
      TEST_REDIS_URL: 'redis://:s%40cret@127.0.0.1:6380/5',
      REDIS_URL: 'redis://prod.example:6379/0',
    });
    expect(testRedis.testRedisOptions()).toEqual({
      host: '127.0.0.1',
      port: 6380,
      db: 5,
      password: 's@cret',
    });
    expect(testRedis.testRedisWhere()).toBe('127.0.0.1:6380');
    expect(cli.childEnv({}).REDIS_URL).toBe('redis://:s%40cret@127.0.0.1:6380/5');
    expect(bench.REDIS_URL).toBe('redis://:s%40cret@127.0.0.1:6380/5');
  });

  it('refuses a TEST_REDIS_URL that is not redis://', async () => {
    const { testRedis } = await loadWith({ TEST_REDIS_URL: 'http://127.0.0.1:6379' });
    expect(() => testRedis.testRedisOptions()).toThrow(/redis:\/\//);
  });
});
