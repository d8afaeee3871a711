import { z } from 'zod';
import { channelField } from '../delivery/ledger.js';
import type { RedisClient } from '../store/redis-client.js';
import type { ChannelRef } from '../subscriptions/subscription-store.js';
import { ANNOUNCEMENT_LOG_DAYS } from './announcement-log.js';
import type { DigestCadence } from './period.js';

/** One digest a channel received: which period (its ledger key names it) and the announcements it covered. */
export interface SentDigest {
  cadence: DigestCadence;
  periodKey: string;
  /** It covered posts announced after `since` up to `end` (ISO times). */
  since: string;
  end: string;
}

/** The digests each channel received, so `/psf why` can say which one listed a post. */
export interface DigestHistory {
  record(channel: ChannelRef, sent: SentDigest): Promise<void>;
  /** The digest that covered an announcement at `at`, or null. */
  covering(channel: ChannelRef, at: Date): Promise<SentDigest | null>;
}

const sentSchema = z.object({
  cadence: z.enum(['daily', 'weekly']),
  periodKey: z.string(),
  since: z.string(),
  end: z.string(),
});

/** Kept as long as the announcement log: older announcements are in no digest anyway. */
const KEEP_MS = ANNOUNCEMENT_LOG_DAYS * 86_400_000;

/** Whether a digest covered an announcement at `at`. */
function covers(sent: SentDigest, at: Date): boolean {
  return Date.parse(sent.since) < at.getTime() && at.getTime() <= Date.parse(sent.end);
}

/** The history in Redis: per channel a sorted set `${prefix}:digest:sent:<channel>`, scored by the end in ms. */
export class RedisDigestHistory implements DigestHistory {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(channel: ChannelRef): string {
    return `${this.prefix}:digest:sent:${channelField(channel)}`;
  }

  async record(channel: ChannelRef, sent: SentDigest): Promise<void> {
    const key = this.key(channel);
    const end = Date.parse(sent.end);
    await this.redis
      .multi()
      .zadd(key, end, JSON.stringify(sentSchema.parse(sent)))
      .zremrangebyscore(key, '-inf', `(${end - KEEP_MS}`)
      .pexpire(key, KEEP_MS)
      .exec();
  }

  async covering(channel: ChannelRef, at: Date): Promise<SentDigest | null> {
    // The first digests ending at or after `at`; a digest never covers more than one period back, plus downtime.
    const found = await this.redis.zrangebyscore(this.key(channel), at.getTime(), '+inf', 'LIMIT', 0, 10);
    for (const member of found) {
      const parsed = sentSchema.safeParse(JSON.parse(member));
      if (parsed.success && covers(parsed.data, at)) return parsed.data;
    }
    return null;
  }
}

/** The history in memory, for tests and single-process runs. */
export class MemoryDigestHistory implements DigestHistory {
  private readonly sent = new Map<string, SentDigest[]>();

  async record(channel: ChannelRef, sent: SentDigest): Promise<void> {
    const list = this.sent.get(channelField(channel)) ?? [];
    list.push(sent);
    this.sent.set(channelField(channel), list);
  }

  async covering(channel: ChannelRef, at: Date): Promise<SentDigest | null> {
    return (this.sent.get(channelField(channel)) ?? []).find((sent) => covers(sent, at)) ?? null;
  }
}
