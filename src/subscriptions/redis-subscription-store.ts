import type { RedisClient } from '../store/redis-client.js';
import { z } from 'zod';
import { PLATFORMS, type Platform } from '../posts/post.js';
import { cleanOptions, subscriptionOptionsSchema, type Subscription } from './subscription.js';
import type { ChannelRef, SubscriptionStore } from './subscription-store.js';

const stored = z.object({
  platform: z.enum(PLATFORMS as [Platform, ...Platform[]]),
  workspaceId: z.string(),
  channelId: z.string(),
  feeds: z.array(z.string()),
  tags: z.array(z.string()),
  excludedTags: z.array(z.string()).optional(),
  options: subscriptionOptionsSchema,
  createdBy: z.string(),
  createdAt: z.string(),
});

const disabledMark = z.object({ reason: z.string(), at: z.string() });

// Marks a subscription disabled only while it still exists, atomically, so a `disable` racing an
// `unsubscribe` cannot leave a mark behind for a channel that has none.
const DISABLE_IF_PRESENT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  if ARGV[3] == 'keep' then return redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) end
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  return 1
end
return 0`;

/** The hash field of one channel: JSON keeps ids holding `:` unambiguous. */
function field(channel: ChannelRef): string {
  return JSON.stringify([channel.platform, channel.workspaceId, channel.channelId]);
}

/**
 * Subscriptions in two Redis hashes: `${prefix}:sub:all` (channel → subscription) and
 * `${prefix}:sub:disabled` (channel → reason and time), kept apart so that `disable` never rewrites
 * (and never races) the subscription itself.
 */
export class RedisSubscriptionStore implements SubscriptionStore {
  private readonly allKey: string;
  private readonly disabledKey: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.allKey = `${prefix}:sub:all`;
    this.disabledKey = `${prefix}:sub:disabled`;
  }

  async put(subscription: Subscription): Promise<void> {
    const { disabledReason, disabledAt, ...rest } = subscription;
    const key = field(subscription);
    const tx = this.redis.multi().hset(this.allKey, key, JSON.stringify(stored.parse(rest)));
    if (disabledReason === null) tx.hdel(this.disabledKey, key);
    else tx.hset(this.disabledKey, key, JSON.stringify({ reason: disabledReason, at: disabledAt ?? '' }));
    await tx.exec();
  }

  async get(channel: ChannelRef): Promise<Subscription | null> {
    const key = field(channel);
    const results = await this.redis.multi().hget(this.allKey, key).hget(this.disabledKey, key).exec();
    const sub = results?.[0]?.[1];
    const mark = results?.[1]?.[1];
    return typeof sub === 'string' ? decode(sub, typeof mark === 'string' ? mark : null) : null;
  }

  async remove(channel: ChannelRef): Promise<boolean> {
    const key = field(channel);
    const results = await this.redis.multi().hdel(this.allKey, key).hdel(this.disabledKey, key).exec();
    return results?.[0]?.[1] === 1;
  }

  async list(): Promise<Subscription[]> {
    const results = await this.redis.multi().hgetall(this.allKey).hgetall(this.disabledKey).exec();
    const all = (results?.[0]?.[1] ?? {}) as Record<string, string>;
    const disabled = (results?.[1]?.[1] ?? {}) as Record<string, string>;
    return Object.entries(all).map(([key, value]) => decode(value, disabled[key] ?? null));
  }

  async listWorkspace(platform: Platform, workspaceId: string): Promise<Subscription[]> {
    const all = await this.list();
    return all.filter((sub) => sub.platform === platform && sub.workspaceId === workspaceId);
  }

  async disable(channel: ChannelRef, reason: string, options: { keep?: boolean } = {}): Promise<void> {
    const mark = JSON.stringify({ reason, at: this.now().toISOString() });
    const keep = options.keep ? 'keep' : 'replace';
    await this.redis.eval(DISABLE_IF_PRESENT, 2, this.allKey, this.disabledKey, field(channel), mark, keep);
  }

  async removeWorkspace(platform: Platform, workspaceId: string): Promise<number> {
    const doomed = (await this.listWorkspace(platform, workspaceId)).map(field);
    if (doomed.length === 0) return 0;
    const results = await this.redis
      .multi()
      .hdel(this.allKey, ...doomed)
      .hdel(this.disabledKey, ...doomed)
      .exec();
    return Number(results?.[0]?.[1] ?? 0);
  }
}

function decode(value: string, mark: string | null): Subscription {
  const sub = stored.parse(JSON.parse(value));
  const disabled = mark === null ? null : disabledMark.parse(JSON.parse(mark));
  const { excludedTags, ...rest } = sub;
  return {
    ...rest,
    ...(excludedTags && excludedTags.length > 0 ? { excludedTags } : {}),
    options: cleanOptions(sub.options),
    disabledReason: disabled?.reason ?? null,
    disabledAt: disabled ? disabled.at || null : null,
  };
}
