import type { Config } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import { RedisSubscriptionStore } from '../../src/subscriptions/redis-subscription-store.js';
import { doctorPassed, renderDoctorReport, runDoctor as checkEverything } from '../doctor/index.js';
import { configuredRedis, connectRedis, privateRedisIfRunning, redisFromUrl } from '../redis.js';

/**
 * `psf-bot doctor`: checks Redis, feeds, tokens and channel permissions and says what to fix; exit 1 when a
 * check failed. It never starts a private Redis: it looks at the configured one (or a private one already up).
 */
export async function runDoctor(config: Config, _logger: Logger): Promise<number> {
  const target =
    config.redis.explicit || config.redis.cluster || config.redis.sentinel
      ? configuredRedis(config)
      : ((await privateRedisIfRunning()) ?? redisFromUrl(config.redis.url));
  const redis = await connectRedis(target).catch(() => null);
  try {
    const checks = await checkEverything({
      config,
      redis: target,
      ...(redis ? { subscriptions: new RedisSubscriptionStore(redis, config.redis.prefix) } : {}),
    });
    process.stdout.write(`${renderDoctorReport(checks)}\n`);
    return doctorPassed(checks) ? 0 : 1;
  } finally {
    redis?.disconnect();
    await target.release();
  }
}
