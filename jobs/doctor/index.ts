import { plural } from '../../src/commands/command-deps.js';
import type { Config } from '../../src/config.js';
import type { Platform } from '../../src/posts/post.js';
import { parseKey } from '../../src/secrets/at-rest.js';
import type { SubscriptionStore } from '../../src/subscriptions/subscription-store.js';
import type { Follow, FollowStore } from '../../src/subscriptions/follow-store.js';
import { checkFollow } from './follows.js';
import { checkChannels, type ChannelToCheck, type SlackTokenLookup } from './channels.js';
import { checkFeed, probeFeed, type FeedProbe } from './feeds.js';
import { checkHubChannels } from './hubs.js';
import { PlatformPeer } from './http.js';
import { checkRedis, type RedisLocation } from './redis.js';
import { describeError, fail, pass, unknown, warn, type DoctorCheck } from './report.js';
import { checkDiscordToken, checkSlackTokens } from './tokens.js';

export { renderDoctorReport, type DoctorCheck } from './report.js';
export type { FeedProbe, FeedProbeResult } from './feeds.js';
export type { RedisLocation } from './redis.js';
export type { SlackTokenLookup } from './channels.js';

/** What `psf-bot doctor` looks at. Only `config` and `redis` are required. */
export interface DoctorDeps {
  config: Config;
  /** Where Redis is; the composition root's `RedisTarget` fits. The doctor opens and closes its own connection. */
  redis: RedisLocation;
  /** Subscribed channels to check; config-declared ones are checked even without it. */
  subscriptions?: Pick<SubscriptionStore, 'list'>;
  /** Channels that follow a hub: the bot should hold Manage Webhooks there. */
  follows?: Pick<FollowStore, 'list'>;
  /** Multi-workspace Slack: a workspace's bot token (the Slack installation store). */
  slackTokens?: SlackTokenLookup;
  /** Replaces fetching and parsing feeds (tests); the poller's own pipeline by default. */
  probeFeed?: FeedProbe;
  /** Per request to Redis or a platform API; 10 s by default. Feeds use `config.fetch.timeoutMs`. */
  timeoutMs?: number;
}

async function channelsToCheck(
  deps: DoctorDeps,
): Promise<{ channels: ChannelToCheck[]; problem?: DoctorCheck }> {
  const byKey = new Map<string, ChannelToCheck>();
  const key = (channel: ChannelToCheck) =>
    `${channel.platform}\u0000${channel.workspaceId}\u0000${channel.channelId}`;
  let problem: DoctorCheck | undefined;
  if (deps.subscriptions) {
    try {
      for (const sub of await deps.subscriptions.list()) byKey.set(key(sub), sub);
    } catch (error) {
      // Redis is down or refused: which channels are subscribed is not known, so neither is their health.
      problem = unknown(
        'subscriptions',
        `cannot list the subscriptions in Redis (${describeError(error)}), so their channels were not checked`,
        'fix redis: reachable first, then run doctor again',
      );
    }
  }
  for (const declared of deps.config.subscriptions) {
    const channel = { ...declared, disabledReason: null };
    if (!byKey.has(key(channel))) byKey.set(key(channel), channel);
  }
  return { channels: [...byKey.values()], ...(problem ? { problem } : {}) };
}

async function checkPlatforms(deps: DoctorDeps, peer: PlatformPeer): Promise<DoctorCheck[]> {
  const { discord, slack } = deps.config;
  const checks: DoctorCheck[] = [];
  if (discord) checks.push(...(await checkDiscordToken(discord, peer)));
  if (slack) checks.push(...(await checkSlackTokens(slack, peer)));
  if (slack?.oauth) checks.push(installationsAtRest(deps.config));
  if (!discord && !slack)
    checks.push(pass('platforms', 'no Discord or Slack configured: start runs the console platform'));
  return checks;
}

/** OAuth keeps each workspace's bot and refresh tokens in Redis: sealed with ENCRYPTION_KEY, or in clear text. */
export function installationsAtRest(config: Config): DoctorCheck {
  const check = 'slack: installations at rest';
  const key = config.encryption ? parseKey(config.encryption.currentKey) : null;
  if (key) return pass(check, `sealed with AES-256-GCM under key ${key.id}`);
  // Like a Redis without persistence: a caveat on a laptop, a failure in production (NODE_ENV=production).
  const judge = config.production ? fail : warn;
  return judge(
    check,
    'bot and refresh tokens are stored in Redis in clear text',
    'set ENCRYPTION_KEY (openssl rand -base64 32); existing installations are sealed when next read',
  );
}

async function checkSubscribedChannels(
  deps: DoctorDeps,
  peer: PlatformPeer,
  tokens: DoctorCheck[],
): Promise<DoctorCheck[]> {
  const { channels, problem } = await channelsToCheck(deps);
  const brokenToken = (platform: Platform) =>
    tokens.some((entry) => entry.check === `${platform}: token` && !entry.ok);
  const checks: DoctorCheck[] = problem ? [problem] : [];
  for (const platform of ['discord', 'slack'] as const) {
    const count = channels.filter((channel) => channel.platform === platform).length;
    if (count > 0 && brokenToken(platform)) {
      checks.push(
        unknown(
          `${platform}: channels`,
          `${plural(count, 'subscribed channel')} not checked: the ${platform} token does not work`,
          `fix ${platform}: token first (see its line), then run doctor again`,
        ),
      );
    }
  }
  const checkable = channels.filter(
    (channel) => channel.platform === 'console' || !brokenToken(channel.platform),
  );
  checks.push(
    ...(await checkChannels(checkable, {
      config: deps.config,
      peer,
      ...(deps.slackTokens ? { slackTokens: deps.slackTokens } : {}),
    })),
  );
  if (channels.length === 0 && !problem)
    checks.push(pass('channels', 'no subscriptions yet: nothing to check'));
  return checks;
}

/**
 * Runs every check `psf-bot doctor` makes: Redis (reachable, version, persistence, eviction policy), each feed,
 * each platform token, and the bot's access to each subscribed channel. Never throws: problems are checks.
 */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorCheck[]> {
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const peer = new PlatformPeer(timeoutMs);
  const probe = deps.probeFeed ?? probeFeed;
  const [redis, feeds, tokens] = await Promise.all([
    checkRedis(deps.redis, timeoutMs, deps.config.production === true),
    Promise.all(deps.config.feeds.map((feed) => checkFeed(feed, deps.config, probe))),
    checkPlatforms(deps, peer),
  ]);
  const channels = await checkSubscribedChannels(deps, peer, tokens);
  const discordBroken = tokens.some((entry) => entry.check === 'discord: token' && !entry.ok);
  const hubs = discordBroken ? [] : await checkHubChannels(deps.config, peer);
  const follows = await checkFollowingChannels(deps, peer, tokens);
  return [...redis, ...feeds, ...tokens, ...channels, ...hubs, ...follows];
}

/** Each channel that follows a hub, a few at a time; none when there are none or Discord's token is broken. */
async function checkFollowingChannels(
  deps: DoctorDeps,
  peer: PlatformPeer,
  tokens: DoctorCheck[],
): Promise<DoctorCheck[]> {
  if (!deps.follows) return [];
  let follows;
  try {
    follows = (await deps.follows.list()).filter((follow) => follow.platform === 'discord');
  } catch (error) {
    return [
      unknown(
        'discord: follows',
        `cannot list the channels that follow a hub (${describeError(error)})`,
        'fix redis: reachable first, then run doctor again',
      ),
    ];
  }
  if (follows.length === 0) return [];
  const twice = await followedAndSubscribed(deps, follows);
  if (tokens.some((entry) => entry.check === 'discord: token' && !entry.ok))
    return [
      ...twice,
      unknown(
        'discord: follows',
        `${plural(follows.length, 'following channel')} not checked: the discord token does not work`,
        'fix discord: token first (see its line), then run doctor again',
      ),
    ];
  const checks: DoctorCheck[] = [...twice];
  for (let i = 0; i < follows.length; i += 4)
    checks.push(
      ...(await Promise.all(
        follows.slice(i, i + 4).map((follow) => checkFollow(follow, { config: deps.config, peer })),
      )),
    );
  return checks;
}

/**
 * A channel that follows a feed's hub and also subscribes to that feed gets each post twice. Chat refuses to
 * make one, but a declared subscription (`PSF_SUBSCRIPTIONS`) or an import does not ask the follows.
 */
async function followedAndSubscribed(deps: DoctorDeps, follows: readonly Follow[]): Promise<DoctorCheck[]> {
  const { channels } = await channelsToCheck(deps);
  const subscribed = new Map<string, { feeds: readonly string[] }>();
  const key = (channel: { platform: string; workspaceId: string; channelId: string }) =>
    `${channel.platform}\u0000${channel.workspaceId}\u0000${channel.channelId}`;
  for (const channel of channels) subscribed.set(key(channel), { feeds: channel.feeds ?? [] });
  return follows
    .filter((follow) => {
      const sub = subscribed.get(key(follow));
      return sub !== undefined && (sub.feeds.length === 0 || sub.feeds.includes(follow.feed));
    })
    .map((follow) =>
      fail(
        `discord: follow of the ${follow.feed} hub in channel ${follow.channelId} (${follow.workspaceId})`,
        `the channel also subscribes to ${follow.feed}, so each post arrives twice (once from the hub, once from psf-bot)`,
        `in that channel run /psf unfollow feed:${follow.feed} or /psf unsubscribe feed:${follow.feed}; a subscription declared in PSF_SUBSCRIPTIONS is removed there`,
      ),
    );
}

/** Whether every check passed (the CLI exits 1 otherwise). */
export function doctorPassed(checks: readonly DoctorCheck[]): boolean {
  return checks.every((entry) => entry.ok);
}
