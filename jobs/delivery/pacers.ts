import type { Config } from '../../src/config.js';
import { RedisChannelPacer, type ChannelPacer } from '../../src/delivery/channel-pacer.js';
import { RedisWorkspaceBudgetPacer } from '../../src/delivery/workspace-budget.js';
import type { Platform } from '../../src/posts/post.js';
import type { RedisClient } from '../../src/store/redis-client.js';
import type { DeliverDeps } from './deliver.js';

/**
 * Discord lets a bot edit a published (crossposted) message about 3 times an hour per channel; it does not
 * document the limit, and the 429 it answers carries a wrong `Retry-After` (1 s for a wait of ~20 minutes):
 * https://github.com/discord/discord-api-docs/issues/2258, https://github.com/discord/discord-api-docs/issues/6109
 * So such edits are paced to one per 20 minutes per channel, as delayed jobs.
 */
export const CROSSPOSTED_EDIT_INTERVAL_MS = 20 * 60_000;

/** Slack's pacing: each channel, and each workspace's SLACK_WORKSPACE_RATE budget, shared through Redis. */
export function slackPacer(redis: RedisClient, prefix: string, config: Pick<Config, 'slack'>): ChannelPacer {
  return new RedisWorkspaceBudgetPacer(redis, prefix, config.slack?.workspacePerSecond ?? 20);
}

/**
 * Discord's edit pacing: per-channel slots of their own (`discord-edit-pace` keys), never Slack's workspace
 * budget, which would charge Discord edits to a per-server budget Discord does not have.
 */
export function discordEditPacer(redis: RedisClient, prefix: string): ChannelPacer {
  return new RedisChannelPacer(redis, prefix, 'discord-edit-pace');
}

/** Which pacer a platform's deliveries wait on: Slack's messages on `pacer`, Discord's edits on `editPacer`. */
export function platformPacing(
  platform: Platform,
  options: { pacer?: ChannelPacer; editPacer?: ChannelPacer; config: Pick<Config, 'slack'> },
): Pick<DeliverDeps, 'pacing' | 'editPacing'> {
  if (platform === 'slack' && options.pacer)
    return { pacing: { pacer: options.pacer, intervalMs: options.config.slack?.channelIntervalMs ?? 1_000 } };
  if (platform === 'discord' && options.editPacer)
    return { editPacing: { pacer: options.editPacer, intervalMs: CROSSPOSTED_EDIT_INTERVAL_MS } };
  return {};
}
