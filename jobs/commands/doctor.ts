import type { Config } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import { RedisSubscriptionStore } from '../../src/subscriptions/redis-subscription-store.js';
import { RedisFollowStore } from '../../src/subscriptions/follow-store.js';
import { reportFailure } from '../cli-errors.js';
import { doctorPassed, renderDoctorReport, runDoctor as checkEverything } from '../doctor/index.js';
import { plural } from '../../src/commands/command-deps.js';
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
      // Without Redis the subscriptions are unknown, not absent: listing them fails and says so.
      subscriptions: redis
        ? new RedisSubscriptionStore(redis, config.redis.prefix)
        : { list: () => Promise.reject(new Error(`${target.where} is unreachable`)) },
      ...(redis ? { follows: new RedisFollowStore(redis, config.redis.prefix) } : {}),
    });
    process.stdout.write(`${renderDoctorReport(checks)}\n`);
    if (doctorPassed(checks)) return 0;
    const failed = checks.filter((entry) => !entry.ok).length;
    reportFailure(`doctor: ${failed} of ${plural(checks.length, 'check')} failed (see "fix:" in the report)`);
    return 1;
  } finally {
    redis?.disconnect();
    await target.release();
  }
}
