import { z } from 'zod';
import { PLATFORMS, type Platform } from '../posts/post.js';
import type { RedisClient } from '../store/redis-client.js';
import type { ChannelRef } from './subscription-store.js';

/**
 * A channel that follows a feed's hub (Discord's Channel Follow): Discord copies each post crossposted in the
 * hub into the channel through the webhook it made there. psf-bot delivers nothing to the channel itself; it
 * keeps the follow to list it, to explain it (`why`), to keep it apart from a subscription to the same feed,
 * and to delete the webhook on `unfollow`.
 */
export interface Follow extends ChannelRef {
  feed: string;
  /** The hub (an announcement channel the operator runs) the channel follows. */
  hubChannelId: string;
  /** The webhook Discord made in the following channel (`DELETE /webhooks/{id}` ends the follow). */
  webhookId: string;
  createdBy: string;
  createdAt: string;
}

/** Follows by channel and feed: a channel follows at most one hub per feed. */
export interface FollowStore {
  /** Creates or replaces the channel's follow of `follow.feed`. */
  put(follow: Follow): Promise<void>;
  get(channel: ChannelRef, feed: string): Promise<Follow | null>;
  /** Forgets the channel's follow of `feed`; true when there was one. */
  remove(channel: ChannelRef, feed: string): Promise<boolean>;
  /** The follows of one channel, by feed name. */
  listChannel(channel: ChannelRef): Promise<Follow[]>;
  /** The follows of one server or workspace. */
  listWorkspace(platform: Platform, workspaceId: string): Promise<Follow[]>;
  /** Every follow (`doctor`). */
  list(): Promise<Follow[]>;
}

const followSchema = z.object({
  platform: z.enum(PLATFORMS as [Platform, ...Platform[]]),
  workspaceId: z.string(),
  channelId: z.string(),
  feed: z.string(),
  hubChannelId: z.string(),
  webhookId: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
});

const tenantSchema = z.tuple([z.enum(PLATFORMS as [Platform, ...Platform[]]), z.string()]);

function byFeedThenChannel(a: Follow, b: Follow): number {
  if (a.channelId !== b.channelId) return a.channelId < b.channelId ? -1 : 1;
  return a.feed < b.feed ? -1 : a.feed > b.feed ? 1 : 0;
}

function sameChannel(a: ChannelRef, b: ChannelRef): boolean {
  return a.platform === b.platform && a.workspaceId === b.workspaceId && a.channelId === b.channelId;
}

/** Follows in memory, for tests and the console; the same rules as the Redis store. */
export class MemoryFollowStore implements FollowStore {
  private readonly follows = new Map<string, Follow>();

  async put(follow: Follow): Promise<void> {
    this.follows.set(memoryKey(follow, follow.feed), followSchema.parse(follow));
  }
  async get(channel: ChannelRef, feed: string): Promise<Follow | null> {
    const found = this.follows.get(memoryKey(channel, feed));
    return found ? { ...found } : null;
  }
  async remove(channel: ChannelRef, feed: string): Promise<boolean> {
    return this.follows.delete(memoryKey(channel, feed));
  }
  async listChannel(channel: ChannelRef): Promise<Follow[]> {
    return (await this.list()).filter((follow) => sameChannel(follow, channel));
  }
  async listWorkspace(platform: Platform, workspaceId: string): Promise<Follow[]> {
    return (await this.list()).filter(
      (follow) => follow.platform === platform && follow.workspaceId === workspaceId,
    );
  }
  async list(): Promise<Follow[]> {
    return [...this.follows.values()].map((follow) => ({ ...follow })).sort(byFeedThenChannel);
  }
}

function memoryKey(channel: ChannelRef, feed: string): string {
  return JSON.stringify([channel.platform, channel.workspaceId, channel.channelId, feed]);
}

// Forgets one follow and, when it was its server's last, the server from the list of servers with follows:
// atomically, so a `put` racing it cannot leave a server's follows unlisted.
const REMOVE = `
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
return removed`;

/**
 * Follows per server or workspace, like subscriptions kept by tenant: `${prefix}:follow:ws:<platform>:<id>` (a
 * hash, `[channel, feed]` → follow), and `${prefix}:follow:tenants` (the tenants that have any), so one server's
 * `subscriptions` reads its own follows only, and `doctor` can still find every one.
 */
export class RedisFollowStore implements FollowStore {
  private readonly tenantsKey: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    this.tenantsKey = `${prefix}:follow:tenants`;
  }

  async put(follow: Follow): Promise<void> {
    const record = followSchema.parse(follow);
    await this.redis
      .multi()
      .hset(
        this.tenantKey(record.platform, record.workspaceId),
        field(record, record.feed),
        JSON.stringify(record),
      )
      .sadd(this.tenantsKey, tenant(record.platform, record.workspaceId))
      .exec();
  }

  async get(channel: ChannelRef, feed: string): Promise<Follow | null> {
    const value = await this.redis.hget(
      this.tenantKey(channel.platform, channel.workspaceId),
      field(channel, feed),
    );
    return value === null ? null : decode(value);
  }

  async remove(channel: ChannelRef, feed: string): Promise<boolean> {
    const removed = await this.redis.eval(
      REMOVE,
      2,
      this.tenantKey(channel.platform, channel.workspaceId),
      this.tenantsKey,
      field(channel, feed),
      tenant(channel.platform, channel.workspaceId),
    );
    return Number(removed) === 1;
  }

  async listChannel(channel: ChannelRef): Promise<Follow[]> {
    return (await this.listWorkspace(channel.platform, channel.workspaceId)).filter((follow) =>
      sameChannel(follow, channel),
    );
  }

  async listWorkspace(platform: Platform, workspaceId: string): Promise<Follow[]> {
    const all = await this.redis.hgetall(this.tenantKey(platform, workspaceId));
    return Object.values(all).map(decode).sort(byFeedThenChannel);
  }

  async list(): Promise<Follow[]> {
    const tenants = await this.redis.smembers(this.tenantsKey);
    const follows: Follow[] = [];
    for (const entry of tenants.sort()) {
      const [platform, workspaceId] = tenantSchema.parse(JSON.parse(entry));
      follows.push(...(await this.listWorkspace(platform, workspaceId)));
    }
    return follows;
  }

  private tenantKey(platform: Platform, workspaceId: string): string {
    // JSON keeps a workspace id holding `:` unambiguous.
    return `${this.prefix}:follow:ws:${tenant(platform, workspaceId)}`;
  }
}

function tenant(platform: Platform, workspaceId: string): string {
  return JSON.stringify([platform, workspaceId]);
}

/** The hash field of one channel's follow of one feed. */
function field(channel: ChannelRef, feed: string): string {
  return JSON.stringify([channel.channelId, feed]);
}

function decode(value: string): Follow {
  return followSchema.parse(JSON.parse(value));
}
