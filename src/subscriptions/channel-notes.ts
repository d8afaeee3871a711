import type { RedisClient } from '../store/redis-client.js';
import { z } from 'zod';
import type { ChannelRef } from './subscription-store.js';

/** A note about a channel an operator should read (e.g. a forum that requires a tag none of a post's match). */
export interface ChannelNote {
  text: string;
  at: string;
}

/**
 * Notes per channel, shown by `subscriptions` and `status`: problems that concern one post, not the
 * channel's access, so they neither disable the subscription nor retry. The latest note wins.
 */
export interface ChannelNotes {
  set(channel: ChannelRef, text: string): Promise<void>;
  clear(channel: ChannelRef): Promise<void>;
  all(): Promise<{ channel: ChannelRef; note: ChannelNote }[]>;
}

function field(channel: ChannelRef): string {
  return JSON.stringify([channel.platform, channel.workspaceId, channel.channelId]);
}

const noteSchema = z.object({ text: z.string(), at: z.string() });
const channelSchema = z.tuple([z.enum(['discord', 'slack', 'console']), z.string(), z.string()]);

/** Notes in memory, for tests and the console. */
export class MemoryChannelNotes implements ChannelNotes {
  private readonly notes = new Map<string, { channel: ChannelRef; note: ChannelNote }>();
  constructor(private readonly now: () => Date = () => new Date()) {}

  async set(channel: ChannelRef, text: string): Promise<void> {
    const { platform, workspaceId, channelId } = channel;
    this.notes.set(field(channel), {
      channel: { platform, workspaceId, channelId },
      note: { text, at: this.now().toISOString() },
    });
  }
  async clear(channel: ChannelRef): Promise<void> {
    this.notes.delete(field(channel));
  }
  async all(): Promise<{ channel: ChannelRef; note: ChannelNote }[]> {
    return [...this.notes.values()];
  }
}

/** Notes in one Redis hash, `${prefix}:sub:notes` (channel → note). */
export class RedisChannelNotes implements ChannelNotes {
  private readonly key: string;
  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.key = `${prefix}:sub:notes`;
  }

  async set(channel: ChannelRef, text: string): Promise<void> {
    await this.redis.hset(this.key, field(channel), JSON.stringify({ text, at: this.now().toISOString() }));
  }
  async clear(channel: ChannelRef): Promise<void> {
    await this.redis.hdel(this.key, field(channel));
  }
  async all(): Promise<{ channel: ChannelRef; note: ChannelNote }[]> {
    const entries = Object.entries(await this.redis.hgetall(this.key));
    return entries.map(([key, value]) => {
      const [platform, workspaceId, channelId] = channelSchema.parse(JSON.parse(key));
      return { channel: { platform, workspaceId, channelId }, note: noteSchema.parse(JSON.parse(value)) };
    });
  }
}
