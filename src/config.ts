import { z } from 'zod';
import type { Platform } from './posts/post.js';
import { parseKey } from './secrets/at-rest.js';
import { splitTags } from './posts/tags.js';
import { displayUrl, redactText } from './redaction.js';

/** A named feed; `url` may be an http(s) URL or a local file path. */
export interface FeedConfig {
  name: string;
  url: string;
}

/** A subscription declared in config (`PSF_SUBSCRIPTIONS`), for one-channel deployments. */
export interface DeclaredSubscription {
  platform: Platform;
  workspaceId: string;
  channelId: string;
  feeds: string[];
  tags: string[];
}

const DEFAULT_FEEDS = 'psf=https://pyfound.blogspot.com/feeds/posts/default';
const FEED_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `30s`, `5m`, `1h`, `7d`, `250ms` or a plain number of milliseconds. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return null;
  const value = Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? 1);
  return Number.isFinite(value) ? Math.round(value) : null;
}

const duration = (what: string) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) {
      ctx.addIssue({
        code: 'custom',
        message: `${what} must look like 30s, 5m, 1h, 7d or milliseconds (got "${text}")`,
      });
      return z.NEVER;
    }
    if (ms <= 0) {
      ctx.addIssue({ code: 'custom', message: `${what} must be positive, e.g. 30s or 5m (got "${text}")` });
      return z.NEVER;
    }
    return ms;
  });

/**
 * A whole number in a range, refused in the operator's words (`PORT must be a number from 1 to 65535`), not the
 * validation library's. Empty counts as unset, so a blank line in .env keeps the default.
 */
const wholeNumber = (
  what: string,
  min: number,
  max: number,
  fallback: number,
  range = `from ${min} to ${max}`,
) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return fallback;
      const value = Number(text.trim());
      if (!/^\s*\d+\s*$/.test(text) || value < min || value > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${what} must be a number ${range} (got "${text}")`.replace(', (', ' ('),
        });
        return z.NEVER;
      }
      return value;
    });

/** One of a few words, refused in plain words. */
const oneOf = <const T extends readonly [string, ...string[]]>(what: string, values: T) =>
  z.enum(values, {
    error: (issue) => `${what} must be one of ${values.join(', ')} (got "${String(issue.input)}")`,
  });

/** Polling faster than this would hammer the PSF blog; only feeds on this machine may go faster (tests). */
export const MIN_POLL_INTERVAL_MS = 30_000;

/** A feed read from this machine: a file path, a file: URL or a loopback HTTP server. */
export function isLocalFeed(url: string): boolean {
  if (!/^[a-z][a-z0-9+.-]+:/i.test(url) || /^file:/i.test(url)) return true;
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** Why a feed's URL cannot be fetched, or null: http(s) with a host, a file: URL, or a path (no scheme). */
function feedUrlProblem(name: string, url: string): string | null {
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file') return null;
  if (scheme === 'http' || scheme === 'https') {
    try {
      if (new URL(url).hostname !== '') return null;
    } catch {
      // Falls through to the problem below.
    }
    return `feed "${name}": "${redactText(url)}" is not a valid URL`;
  }
  return `feed "${name}": "${displayUrl(url)}" must be an http:// or https:// URL, or a file path (not ${scheme}:)`;
}

/** Parses `name=url,name=url`. */
export function parseFeedList(text: string): { feeds: FeedConfig[]; problems: string[] } {
  const feeds: FeedConfig[] = [];
  const problems: string[] = [];
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf('=');
    const name = eq > 0 ? entry.slice(0, eq).trim() : '';
    const url = eq > 0 ? entry.slice(eq + 1).trim() : '';
    if (!FEED_NAME.test(name) || !url) {
      problems.push(`"${redactText(entry)}" is not name=url (name: lowercase letters, digits, - or _)`);
    } else if (feeds.some((feed) => feed.name === name)) {
      problems.push(`feed "${name}" is named twice`);
    } else if (feedUrlProblem(name, url)) {
      problems.push(feedUrlProblem(name, url)!);
    } else {
      feeds.push({ name, url });
    }
  }
  if (feeds.length === 0 && problems.length === 0) problems.push('names no feed');
  return { feeds, problems };
}

/** Parses `platform:workspace:channel[:feed,feed[:tag,tag]]` entries, comma-separated (`+` or spaces also separate feeds and tags). */
export function parseDeclaredSubscriptions(text: string): {
  subscriptions: DeclaredSubscription[];
  problems: string[];
} {
  const subscriptions: DeclaredSubscription[] = [];
  const problems: string[] = [];
  // Entries are comma-separated, and so may be feeds and tags: only a piece with platform:workspace:channel
  // starts an entry; any other continues the entry before (`discord:1:2:psf,insider:grants,pycon`).
  const entries: string[] = [];
  for (const part of text
    .split(',')
    .map((piece) => piece.trim())
    .filter(Boolean)) {
    if (!/^[^:]*:[^:]*:/.test(part) && entries.length > 0) entries[entries.length - 1] += `,${part}`;
    else entries.push(part);
  }
  for (const entry of entries) {
    const [platform, workspaceId, channelId, feeds = '', tags = ''] = entry
      .split(':')
      .map((part) => part.trim());
    if (platform !== 'discord' && platform !== 'slack' && platform !== 'console') {
      problems.push(`"${entry}" must start with discord:, slack: or console:`);
    } else if (!workspaceId || !channelId) {
      problems.push(`"${entry}" is not platform:workspace:channel[:feeds[:tags]]`);
    } else {
      subscriptions.push({
        platform,
        workspaceId,
        channelId,
        feeds: splitTags(feeds),
        tags: splitTags(tags),
      });
    }
  }
  return { subscriptions, problems };
}

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== '' ? value.trim() : undefined));

/** A key prefix: letters, digits, `.`, `-`, `_`; in braces it is a Redis Cluster hash tag (`{psf}`). */
const REDIS_PREFIX = /^(\{[A-Za-z0-9_.-]{1,64}\}|[A-Za-z0-9_.-]{1,64})$/;

/** Parses `host:port,host:port` (REDIS_CLUSTER_NODES, REDIS_SENTINELS). */
export function parseHostPorts(text: string): {
  nodes: { host: string; port: number }[];
  problems: string[];
} {
  const nodes: { host: string; port: number }[] = [];
  const problems: string[] = [];
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^\[?([^\s[\]]+?)\]?:(\d{1,5})$/.exec(entry);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) problems.push(`"${entry}" is not host:port`);
    else nodes.push({ host: match[1]!, port });
  }
  if (nodes.length === 0 && problems.length === 0) problems.push('names no host:port');
  return { nodes, problems };
}

const hostPortList =
  (what: string) =>
  (text: string | undefined, ctx: z.RefinementCtx): { host: string; port: number }[] | undefined => {
    if (text === undefined) return undefined;
    const { nodes, problems } = parseHostPorts(text);
    for (const problem of problems) ctx.addIssue({ code: 'custom', message: `${what}: ${problem}` });
    return nodes;
  };

const httpUrl = (what: string) =>
  z.string().refine((value) => /^https?:\/\/\S+$/.test(value), { message: `${what} must be an http(s) URL` });

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
  POLL_INTERVAL: duration('POLL_INTERVAL').default(300_000),
  MAX_AGE: duration('MAX_AGE').default(604_800_000),
  FETCH_TIMEOUT: duration('FETCH_TIMEOUT').default(15_000),
  FEED_MAX_BYTES: wholeNumber(
    'FEED_MAX_BYTES',
    1,
    Number.MAX_SAFE_INTEGER,
    20 * 1024 * 1024,
    'of bytes, at least 1',
  ),
  PORT: wholeNumber('PORT', 0, 65535, 3000, 'from 1 to 65535, or 0 for any free port,'),
  DISCORD_TOKEN: optionalText,
  DISCORD_APPLICATION_ID: optionalText,
  DISCORD_MODE: oneOf('DISCORD_MODE', ['gateway', 'http']).default('gateway'),
  DISCORD_PUBLIC_KEY: optionalText,
  DISCORD_API_URL: httpUrl('DISCORD_API_URL').default('https://discord.com/api'),
  DISCORD_RATE_LIMIT: wholeNumber('DISCORD_RATE_LIMIT', 1, 50, 48),
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

/**
 * Checks across variables. They run on the raw environment, apart from the schema, because zod skips
 * refinements once any field fails and every problem must be reported at once.
 */
function crossChecks(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const problem = (message: string) => problems.push(message);
  const set = (name: string) => Boolean(env[name]?.trim());
  const discordMode = env.DISCORD_MODE?.trim() || 'gateway';
  if (set('DISCORD_TOKEN') && !set('DISCORD_APPLICATION_ID'))
    problem('DISCORD_TOKEN is set but DISCORD_APPLICATION_ID is not');
  if (!set('DISCORD_TOKEN') && set('DISCORD_APPLICATION_ID'))
    problem('DISCORD_APPLICATION_ID is set but DISCORD_TOKEN is not');
  if (set('DISCORD_TOKEN') && discordMode === 'http' && !set('DISCORD_PUBLIC_KEY')) {
    problem("DISCORD_MODE=http needs DISCORD_PUBLIC_KEY (the application's public key, hex)");
  }
  if (set('DISCORD_PUBLIC_KEY') && !/^[0-9a-fA-F]{64}$/.test(env.DISCORD_PUBLIC_KEY!.trim())) {
    problem('DISCORD_PUBLIC_KEY must be 64 hex characters');
  }
  const oauth = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'].map(set);
  if (oauth.some(Boolean) && !oauth.every(Boolean)) {
    problem('SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET go together: set all three or none');
  }
  const slackEnabled = set('SLACK_BOT_TOKEN') || oauth.every(Boolean);
  if (slackEnabled && !set('SLACK_SIGNING_SECRET')) problem('Slack needs SLACK_SIGNING_SECRET');
  if (!slackEnabled && set('SLACK_SIGNING_SECRET')) {
    problem('SLACK_SIGNING_SECRET is set but neither SLACK_BOT_TOKEN nor the SLACK_CLIENT_* trio is');
  }
  if (set('ENCRYPTION_OLD_KEYS') && !set('ENCRYPTION_KEY'))
    problem(
      'ENCRYPTION_OLD_KEYS is set but ENCRYPTION_KEY is not: the old keys only open what a new key reseals',
    );
  if (set('SLACK_APP_TOKEN') && !env.SLACK_APP_TOKEN!.trim().startsWith('xapp-'))
    problem('SLACK_APP_TOKEN must start with xapp-');
  if (set('REDIS_CLUSTER_NODES') && set('REDIS_SENTINELS'))
    problem('REDIS_CLUSTER_NODES and REDIS_SENTINELS exclude each other: a cluster or a Sentinel, not both');
  if (set('REDIS_SENTINELS') !== set('REDIS_SENTINEL_NAME'))
    problem('REDIS_SENTINELS and REDIS_SENTINEL_NAME go together: the sentinels and the name of the primary');
  const prefix = env.REDIS_PREFIX?.trim();
  if (set('REDIS_CLUSTER_NODES') && prefix && !/^\{.+\}$/.test(prefix)) {
    problem(
      `on a Redis Cluster REDIS_PREFIX must be a hash tag in braces, e.g. {${prefix}}, so every key lives in one slot`,
    );
  }
  const feeds = parseFeedList(env.PSF_FEEDS ?? DEFAULT_FEEDS).feeds;
  const interval = parseDuration(env.POLL_INTERVAL ?? '');
  const remote = feeds.filter((feed) => !isLocalFeed(feed.url));
  if (interval !== null && interval > 0 && interval < MIN_POLL_INTERVAL_MS && remote.length > 0) {
    problem(
      `POLL_INTERVAL must be at least 30s for a feed on the network (got "${env.POLL_INTERVAL}"; ` +
        `${remote[0]!.name} is at ${displayUrl(remote[0]!.url)}); only files and loopback URLs may be polled faster`,
    );
  }
  const feedNames = new Set(feeds.map((feed) => feed.name));
  for (const sub of parseDeclaredSubscriptions(env.PSF_SUBSCRIPTIONS ?? '').subscriptions) {
    for (const feed of sub.feeds) {
      if (!feedNames.has(feed))
        problem(`PSF_SUBSCRIPTIONS names feed "${feed}", which PSF_FEEDS does not define`);
    }
  }
  return problems;
}

/** The whole configuration, parsed once at start-up. */
export interface Config {
  redis: {
    url: string;
    explicit: boolean;
    prefix: string;
    /** REDIS_CLUSTER_NODES: the seed nodes of a Redis Cluster. */
    cluster?: { host: string; port: number }[];
    /** REDIS_SENTINELS and REDIS_SENTINEL_NAME: a primary that Sentinel watches. */
    sentinel?: { sentinels: { host: string; port: number }[]; name: string; password?: string };
  };
  feeds: FeedConfig[];
  subscriptions: DeclaredSubscription[];
  pollIntervalMs: number;
  /** Subscriptions chat commands may create per workspace (declared ones not counted); 0 means no limit. */
  maxSubscriptionsPerWorkspace: number;
  maxAgeMs: number;
  fetch: { timeoutMs: number; maxBytes: number };
  port: number;
  discord?: {
    token: string;
    applicationId: string;
    mode: 'gateway' | 'http';
    publicKey?: string;
    apiUrl: string;
    requestsPerSecond: number;
  };
  slack?: {
    botToken?: string;
    signingSecret: string;
    appToken?: string;
    oauth?: { clientId: string; clientSecret: string; stateSecret: string };
    apiUrl: string;
    adminUsers: string[];
    channelIntervalMs: number;
    /** SLACK_RATE_LIMIT: an optional ceiling in messages per second across every worker and workspace. */
    messagesPerSecond?: number;
    /** SLACK_WORKSPACE_RATE: messages per second per workspace, shared by every worker process. */
    workspacePerSecond?: number;
    /** SLACK_CONCURRENCY: Slack deliveries each worker process runs at once. */
    concurrency?: number;
  };
  deliveryAttempts: number;
  /** How long in-flight deliveries get to finish on SIGTERM before their connections are cut. */
  shutdownGraceMs: number;
  adminToken?: string;
  /** Bearer token `/metrics` asks for; unset, `/metrics` is open. */
  metricsToken?: string;
  /** Seals Slack installations at rest: the current key, and retired keys still accepted for reading. */
  encryption?: { currentKey: string; oldKeys: string[] };
  /** NODE_ENV=production (the Docker image): doctor holds Redis to production standards. */
  production?: true;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** Every problem with the environment, each in plain words. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(
      `configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n- ${problems.join('\n- ')}`,
    );
  }
}

/** Parses the environment into a `Config`, or throws a `ConfigError` listing every problem at once. */
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
    fetch: { timeoutMs: e.FETCH_TIMEOUT, maxBytes: e.FEED_MAX_BYTES },
    port: e.PORT,
    deliveryAttempts: e.DELIVERY_ATTEMPTS,
    shutdownGraceMs: e.SHUTDOWN_GRACE,
    logLevel: e.LOG_LEVEL,
  };
  if (e.DISCORD_TOKEN && e.DISCORD_APPLICATION_ID) {
    config.discord = {
      token: e.DISCORD_TOKEN,
      applicationId: e.DISCORD_APPLICATION_ID,
      mode: e.DISCORD_MODE,
      apiUrl: e.DISCORD_API_URL,
      requestsPerSecond: e.DISCORD_RATE_LIMIT,
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
