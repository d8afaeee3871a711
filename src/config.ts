import { z } from 'zod';
import { parseDigestTime, WEEKDAYS } from './digests/period.js';
import { parseKey } from './secrets/at-rest.js';
import { crossChecks } from './config/cross-checks.js';
import { duration, flag, httpUrl, oneOf, optionalText, wholeNumber } from './config/fields.js';
import { DEFAULT_FEEDS, parseFeedList } from './config/feeds.js';
import { hostPortList, REDIS_PREFIX } from './config/redis.js';
import { parseDeclaredSubscriptions } from './config/subscriptions.js';
import { parseHubChannels } from './config/hubs.js';
import { ConfigError, type Config } from './config/types.js';

export { parseDuration } from './config/fields.js';
export { isLocalFeed, MIN_POLL_INTERVAL_MS, parseFeedList, type FeedConfig } from './config/feeds.js';
export { parseHostPorts } from './config/redis.js';
export { parseDeclaredSubscriptions, type DeclaredSubscription } from './config/subscriptions.js';
export { parseHubChannels, type HubChannel } from './config/hubs.js';
export { ConfigError, type Config } from './config/types.js';

const schema = z.object({
  REDIS_URL: optionalText.refine((value) => value === undefined || /^rediss?:\/\//.test(value), {
    message: 'REDIS_URL must start with redis:// or rediss://',
  }),
  REDIS_PREFIX: optionalText.refine((value) => value === undefined || REDIS_PREFIX.test(value), {
    message:
      'REDIS_PREFIX may hold only letters, digits, ".", "-" and "_" (no ":"), optionally in braces: {psf}',
  }),
  REDIS_CLUSTER_NODES: optionalText.transform(hostPortList('REDIS_CLUSTER_NODES')),
  REDIS_SENTINELS: optionalText.transform(hostPortList('REDIS_SENTINELS')),
  REDIS_SENTINEL_NAME: optionalText,
  REDIS_SENTINEL_PASSWORD: optionalText,
  PSF_FEEDS: z
    .string()
    .default(DEFAULT_FEEDS)
    .transform((text, ctx) => {
      const { feeds, problems } = parseFeedList(text);
      for (const problem of problems) ctx.addIssue({ code: 'custom', message: `PSF_FEEDS: ${problem}` });
      return feeds;
    }),
  PSF_SUBSCRIPTIONS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const { subscriptions, problems } = parseDeclaredSubscriptions(text);
      for (const problem of problems)
        ctx.addIssue({ code: 'custom', message: `PSF_SUBSCRIPTIONS: ${problem}` });
      return subscriptions;
    }),
  POLL_INTERVAL: duration('POLL_INTERVAL').default(60_000),
  MAX_AGE: duration('MAX_AGE').default(604_800_000),
  FETCH_TIMEOUT: duration('FETCH_TIMEOUT').default(15_000),
  FEED_MAX_BYTES: wholeNumber(
    'FEED_MAX_BYTES',
    1,
    Number.MAX_SAFE_INTEGER,
    20 * 1024 * 1024,
    'of bytes, at least 1',
  ),
  FEED_ALLOW_PRIVATE_REDIRECTS: flag('FEED_ALLOW_PRIVATE_REDIRECTS'),
  PORT: wholeNumber('PORT', 0, 65535, 3000, 'from 1 to 65535, or 0 for any free port,'),
  DISCORD_TOKEN: optionalText,
  DISCORD_APPLICATION_ID: optionalText,
  DISCORD_MODE: oneOf('DISCORD_MODE', ['gateway', 'http']).default('gateway'),
  DISCORD_PUBLIC_KEY: optionalText,
  DISCORD_API_URL: httpUrl('DISCORD_API_URL').default('https://discord.com/api'),
  DISCORD_RATE_LIMIT: wholeNumber('DISCORD_RATE_LIMIT', 1, 50, 48),
  DISCORD_HUB_CHANNELS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const { hubs, problems } = parseHubChannels(text);
      for (const problem of problems)
        ctx.addIssue({ code: 'custom', message: `DISCORD_HUB_CHANNELS: ${problem}` });
      return hubs;
    }),
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_CLIENT_ID: optionalText,
  SLACK_CLIENT_SECRET: optionalText,
  SLACK_STATE_SECRET: optionalText,
  SLACK_API_URL: httpUrl('SLACK_API_URL').default('https://slack.com/api/'),
  SLACK_ADMIN_USERS: z
    .string()
    .default('')
    .transform((text) =>
      text
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  SLACK_CHANNEL_INTERVAL: duration('SLACK_CHANNEL_INTERVAL').default(1_000),
  // 0 (unset): no ceiling across workspaces.
  SLACK_RATE_LIMIT: wholeNumber('SLACK_RATE_LIMIT', 1, 1000, 0),
  SLACK_WORKSPACE_RATE: wholeNumber('SLACK_WORKSPACE_RATE', 1, 1000, 20),
  SLACK_CONCURRENCY: wholeNumber('SLACK_CONCURRENCY', 1, 500, 20),
  DELIVERY_ATTEMPTS: wholeNumber('DELIVERY_ATTEMPTS', 1, 50, 8),
  SHUTDOWN_GRACE: duration('SHUTDOWN_GRACE').default(20_000),
  DIGEST_TIME: z
    .string()
    .default('15:00')
    .transform((text, ctx) => {
      const time = parseDigestTime(text);
      if (!time)
        ctx.addIssue({ code: 'custom', message: `DIGEST_TIME must be HH:MM in UTC (got "${text}")` });
      return time ?? { hour: 0, minute: 0 };
    }),
  DIGEST_WEEKDAY: z
    .string()
    .default('monday')
    .transform((text, ctx) => {
      const day = WEEKDAYS.indexOf(text.trim().toLowerCase() as (typeof WEEKDAYS)[number]);
      if (day < 0)
        ctx.addIssue({
          code: 'custom',
          message: `DIGEST_WEEKDAY must be a day name, e.g. monday (got "${text}")`,
        });
      return day;
    }),
  ADMIN_TOKEN: optionalText,
  METRICS_TOKEN: optionalText,
  MAX_SUBSCRIPTIONS_PER_WORKSPACE: wholeNumber('MAX_SUBSCRIPTIONS_PER_WORKSPACE', 0, 100_000, 50),
  ENCRYPTION_KEY: optionalText.refine((value) => value === undefined || parseKey(value) !== null, {
    message:
      'ENCRYPTION_KEY must be 32 bytes: 64 hex digits or 44 base64 characters (openssl rand -base64 32)',
  }),
  ENCRYPTION_OLD_KEYS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const keys = text
        .split(',')
        .map((key) => key.trim())
        .filter(Boolean);
      if (keys.some((key) => parseKey(key) === null))
        ctx.addIssue({
          code: 'custom',
          message: 'ENCRYPTION_OLD_KEYS: each key must be 32 bytes, hex or base64',
        });
      return keys;
    }),
  NODE_ENV: optionalText,
  LOG_LEVEL: oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default(
    'info',
  ),
});

/** Parses the environment into a `Config`, or throws a `ConfigError` listing every problem at once. */
/** Every environment variable the configuration reads (docs/cli.md lists each one). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const field = issue.path.length > 0 ? String(issue.path[0]) : '';
        return issue.message.startsWith(field) || field === '' ? issue.message : `${field}: ${issue.message}`;
      });
  problems.push(...crossChecks(env));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const config: Config = {
    redis: {
      url: e.REDIS_URL ?? 'redis://127.0.0.1:6379',
      explicit: e.REDIS_URL !== undefined,
      prefix: e.REDIS_PREFIX ?? (e.REDIS_CLUSTER_NODES ? '{psf}' : 'psf'),
      ...(e.REDIS_CLUSTER_NODES ? { cluster: e.REDIS_CLUSTER_NODES } : {}),
      ...(e.REDIS_SENTINELS && e.REDIS_SENTINEL_NAME
        ? {
            sentinel: {
              sentinels: e.REDIS_SENTINELS,
              name: e.REDIS_SENTINEL_NAME,
              ...(e.REDIS_SENTINEL_PASSWORD ? { password: e.REDIS_SENTINEL_PASSWORD } : {}),
            },
          }
        : {}),
    },
    feeds: e.PSF_FEEDS,
    subscriptions: e.PSF_SUBSCRIPTIONS,
    pollIntervalMs: e.POLL_INTERVAL,
    maxSubscriptionsPerWorkspace: e.MAX_SUBSCRIPTIONS_PER_WORKSPACE,
    maxAgeMs: e.MAX_AGE,
    fetch: {
      timeoutMs: e.FETCH_TIMEOUT,
      maxBytes: e.FEED_MAX_BYTES,
      allowPrivateRedirects: e.FEED_ALLOW_PRIVATE_REDIRECTS,
    },
    port: e.PORT,
    deliveryAttempts: e.DELIVERY_ATTEMPTS,
    shutdownGraceMs: e.SHUTDOWN_GRACE,
    digest: { ...e.DIGEST_TIME, weekday: e.DIGEST_WEEKDAY },
    logLevel: e.LOG_LEVEL,
  };
  if (e.DISCORD_TOKEN && e.DISCORD_APPLICATION_ID) {
    config.discord = {
      token: e.DISCORD_TOKEN,
      applicationId: e.DISCORD_APPLICATION_ID,
      mode: e.DISCORD_MODE,
      apiUrl: e.DISCORD_API_URL,
      requestsPerSecond: e.DISCORD_RATE_LIMIT,
      hubs: e.DISCORD_HUB_CHANNELS,
      ...(e.DISCORD_PUBLIC_KEY ? { publicKey: e.DISCORD_PUBLIC_KEY } : {}),
    };
  }
  const hasOauth = Boolean(e.SLACK_CLIENT_ID && e.SLACK_CLIENT_SECRET && e.SLACK_STATE_SECRET);
  if ((e.SLACK_BOT_TOKEN || hasOauth) && e.SLACK_SIGNING_SECRET) {
    config.slack = {
      signingSecret: e.SLACK_SIGNING_SECRET,
      apiUrl: e.SLACK_API_URL,
      adminUsers: e.SLACK_ADMIN_USERS,
      channelIntervalMs: e.SLACK_CHANNEL_INTERVAL,
      workspacePerSecond: e.SLACK_WORKSPACE_RATE,
      concurrency: e.SLACK_CONCURRENCY,
      ...(e.SLACK_RATE_LIMIT > 0 ? { messagesPerSecond: e.SLACK_RATE_LIMIT } : {}),
      ...(e.SLACK_BOT_TOKEN ? { botToken: e.SLACK_BOT_TOKEN } : {}),
      ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
      ...(hasOauth
        ? {
            oauth: {
              clientId: e.SLACK_CLIENT_ID!,
              clientSecret: e.SLACK_CLIENT_SECRET!,
              stateSecret: e.SLACK_STATE_SECRET!,
            },
          }
        : {}),
    };
  }
  if (e.ADMIN_TOKEN) config.adminToken = e.ADMIN_TOKEN;
  if (e.METRICS_TOKEN) config.metricsToken = e.METRICS_TOKEN;
  if (e.ENCRYPTION_KEY) config.encryption = { currentKey: e.ENCRYPTION_KEY, oldKeys: e.ENCRYPTION_OLD_KEYS };
  if (e.NODE_ENV === 'production') config.production = true;
  return config;
}

/** Whether stack traces were asked for (`LOG_LEVEL=debug`), readable even when the rest of the config is broken. */
export function debugRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['debug', 'trace'].includes((env.LOG_LEVEL ?? '').trim().toLowerCase());
}
