import type { RedisClient } from '../store/redis-client.js';
import { z } from 'zod';
import type { PostRef } from '../feeds/feed-memory.js';

/** A post and when it was announced. */
export interface LoggedAnnouncement extends PostRef {
  announcedAt: Date;
}

/** How long announcements stay listed: longer than any digest period plus a long outage. */
export const ANNOUNCEMENT_LOG_DAYS = 60;

/** Every announced post with its announcement time: what digests list. */
export interface AnnouncementLog {
  /** Records an announcement; the first time recorded for a post stays. */
  record(post: PostRef, announcedAt: Date): Promise<void>;
  /** Announcements with `since < announcedAt <= until`, oldest first. */
  between(since: Date, until: Date): Promise<LoggedAnnouncement[]>;
}

const member = z.tuple([z.string(), z.string()]);

/** The log in Redis: one sorted set `${prefix}:announced`, member `[feed, id]`, score the time in ms. */
export class RedisAnnouncementLog implements AnnouncementLog {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.key = `${prefix}:announced`;
  }

  async record(post: PostRef, announcedAt: Date): Promise<void> {
    const oldest = announcedAt.getTime() - ANNOUNCEMENT_LOG_DAYS * 86_400_000;
    await this.redis
      .multi()
      .zadd(this.key, 'NX', announcedAt.getTime(), JSON.stringify([post.feed, post.id]))
      .zremrangebyscore(this.key, '-inf', `(${oldest}`)
      .exec();
  }

  async between(since: Date, until: Date): Promise<LoggedAnnouncement[]> {
    const flat = await this.redis.zrangebyscore(
      this.key,
      `(${since.getTime()}`,
      until.getTime(),
      'WITHSCORES',
    );
    const found: LoggedAnnouncement[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const parsed = member.safeParse(JSON.parse(flat[i]!));
      if (parsed.success)
        found.push({ feed: parsed.data[0], id: parsed.data[1], announcedAt: new Date(Number(flat[i + 1])) });
    }
    return found;
  }
}

/** An `AnnouncementLog` in memory, for unit tests. */
export class MemoryAnnouncementLog implements AnnouncementLog {
  private readonly entries = new Map<string, LoggedAnnouncement>();

  async record(post: PostRef, announcedAt: Date): Promise<void> {
    const key = JSON.stringify([post.feed, post.id]);
    if (!this.entries.has(key)) this.entries.set(key, { feed: post.feed, id: post.id, announcedAt });
  }

  async between(since: Date, until: Date): Promise<LoggedAnnouncement[]> {
    return [...this.entries.values()]
      .filter((entry) => entry.announcedAt > since && entry.announcedAt <= until)
      .sort((a, b) => a.announcedAt.getTime() - b.announcedAt.getTime());
  }
}
