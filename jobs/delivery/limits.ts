import type { Config } from '../../src/config.js';
import type { Platform } from '../../src/posts/post.js';

/** A queue-wide limit shared by every worker process: at most `max` jobs per `duration` ms. */
export interface RateLimit {
  max: number;
  duration: number;
}

/**
 * `perSecond` spread over windows of about a tenth of a second. BullMQ counts fixed windows from their first
 * job, and Discord counts its second from a moment of its own: with whole-second windows, a burst at the end
 * of one and another at the start of the next land in one Discord second and earn a global 429.
 */
export function smoothLimit(perSecond: number): RateLimit {
  const max = Math.max(1, Math.round(perSecond / 10));
  return { max, duration: Math.round((1_000 * max) / perSecond) };
}

/**
 * Without SLACK_RATE_LIMIT the Slack queue has no cap across workspaces, only this technical one: BullMQ
 * honours a manual `Queue#rateLimit` only on a queue with a limiter.
 */
export const SLACK_QUEUE_CEILING = 1_000;

/**
 * Discord allows 50 requests/s per token: a real, queue-wide limit. Slack limits each channel and each
 * workspace, not the app (the pacer keeps those), so its queue limit is only an optional ceiling.
 */
export function defaultLimit(platform: Platform, config: Pick<Config, 'discord' | 'slack'>): RateLimit {
  if (platform === 'discord') return smoothLimit(config.discord?.requestsPerSecond ?? 48);
  return smoothLimit(platform === 'slack' ? (config.slack?.messagesPerSecond ?? SLACK_QUEUE_CEILING) : 50);
}

/**
 * Jobs each worker process runs at once, per platform. A Slack job mostly waits (on Slack's answer, about
 * 100–300 ms, and on its pacing slot), so one process delivers about SLACK_CONCURRENCY ÷ that wait a second.
 */
export const DEFAULT_CONCURRENCY: Record<Platform, number> = { discord: 10, slack: 20, console: 1 };

/** The concurrency of one platform's deliver worker: the caller's, SLACK_CONCURRENCY, or the default. */
export function deliverConcurrency(
  platform: Platform,
  config: Pick<Config, 'slack'>,
  override?: Partial<Record<Platform, number>>,
): number {
  const configured = platform === 'slack' ? config.slack?.concurrency : undefined;
  return override?.[platform] ?? configured ?? DEFAULT_CONCURRENCY[platform];
}
