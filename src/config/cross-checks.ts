import { parseDuration } from './fields.js';
import { DEFAULT_FEEDS, isLocalFeed, MIN_POLL_INTERVAL_MS, parseFeedList } from './feeds.js';
import { parseDeclaredSubscriptions } from './subscriptions.js';
import { parseHubChannels } from './hubs.js';
import { displayUrl } from '../redaction.js';

/**
 * Checks across variables. They run on the raw environment, apart from the schema, because zod skips
 * refinements once any field fails and every problem must be reported at once.
 */
export function crossChecks(env: NodeJS.ProcessEnv): string[] {
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
  if (set('DISCORD_HUB_CHANNELS') && !set('DISCORD_TOKEN'))
    problem('DISCORD_HUB_CHANNELS is set but DISCORD_TOKEN is not: hubs are Discord announcement channels');
  for (const hub of parseHubChannels(env.DISCORD_HUB_CHANNELS ?? '').hubs) {
    if (!feedNames.has(hub.feed))
      problem(`DISCORD_HUB_CHANNELS names feed "${hub.feed}", which PSF_FEEDS does not define`);
  }
  return problems;
}
