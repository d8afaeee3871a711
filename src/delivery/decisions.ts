import type { RedisClient } from '../store/redis-client.js';
import { z } from 'zod';
import type { MatchDecision } from '../subscriptions/matching.js';
import type { ChannelRef } from '../subscriptions/subscription-store.js';
import { channelField } from './ledger.js';

/** Why the poller remembered a post without announcing it. */
export type SeededReason =
  | { kind: 'first_sight' }
  | { kind: 'too_old'; publishedAt: string }
  | { kind: 'moved'; knownAs: { feed: string; id: string } };

/** What was decided about one post, as `/psf why` reads it back for one channel. */
export interface PostDecisions {
  /** When the post was fanned out to subscriptions (absent: never announced). */
  announcedAt: string | null;
  seeded: SeededReason | null;
  /** The fan-out's decision for this channel (absent: the channel had no subscription then). */
  decision: MatchDecision | null;
}

/**
 * What fan-out and the poller decided about each post, kept so that `/psf why` can answer later: recorded at
 * the time, because subscriptions, tags and feeds change afterwards.
 */
export interface DecisionLog {
  recordSeeded(postKey: string, reason: SeededReason): Promise<void>;
  recordFanout(
    postKey: string,
    announcedAt: string,
    decisions: { channel: ChannelRef; decision: MatchDecision }[],
  ): Promise<void>;
  read(postKey: string, channel: ChannelRef): Promise<PostDecisions>;
}

const ANNOUNCED = '_announced';
const SEEDED = '_seeded';
/** Kept for 180 days: long enough for "was it missed?", short enough not to grow without bound. */
const TTL_S = 180 * 24 * 3600;

const seededSchema = z.union([
  z.object({ kind: z.literal('first_sight') }),
  z.object({ kind: z.literal('too_old'), publishedAt: z.string() }),
  z.object({ kind: z.literal('moved'), knownAs: z.object({ feed: z.string(), id: z.string() }) }),
]);

/** Decisions in memory, for tests and single-process runs. */
export class MemoryDecisionLog implements DecisionLog {
  private readonly posts = new Map<string, Map<string, string>>();

  private fields(postKey: string): Map<string, string> {
    const found = this.posts.get(postKey) ?? new Map<string, string>();
    this.posts.set(postKey, found);
    return found;
  }
  async recordSeeded(postKey: string, reason: SeededReason): Promise<void> {
    this.fields(postKey).set(SEEDED, JSON.stringify(reason));
  }
  async recordFanout(
    postKey: string,
    announcedAt: string,
    decisions: { channel: ChannelRef; decision: MatchDecision }[],
  ): Promise<void> {
    const fields = this.fields(postKey);
    fields.set(ANNOUNCED, announcedAt);
    for (const { channel, decision } of decisions)
      fields.set(channelField(channel), JSON.stringify(decision));
  }
  async read(postKey: string, channel: ChannelRef): Promise<PostDecisions> {
    const fields = this.posts.get(postKey);
    return decode(fields?.get(ANNOUNCED), fields?.get(SEEDED), fields?.get(channelField(channel)));
  }
}

/** Decisions in Redis: one hash per post, `${prefix}:why:<postKey>`, expiring after 180 days. */
export class RedisDecisionLog implements DecisionLog {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(postKey: string): string {
    return `${this.prefix}:why:${postKey}`;
  }
  async recordSeeded(postKey: string, reason: SeededReason): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key(postKey), SEEDED, JSON.stringify(reason))
      .expire(this.key(postKey), TTL_S)
      .exec();
  }
  async recordFanout(
    postKey: string,
    announcedAt: string,
    decisions: { channel: ChannelRef; decision: MatchDecision }[],
  ): Promise<void> {
    const values: Record<string, string> = { [ANNOUNCED]: announcedAt };
    for (const { channel, decision } of decisions) values[channelField(channel)] = JSON.stringify(decision);
    await this.redis.multi().hset(this.key(postKey), values).expire(this.key(postKey), TTL_S).exec();
  }
  async read(postKey: string, channel: ChannelRef): Promise<PostDecisions> {
    const [announced, seeded, decision] = await this.redis.hmget(
      this.key(postKey),
      ANNOUNCED,
      SEEDED,
      channelField(channel),
    );
    return decode(announced ?? undefined, seeded ?? undefined, decision ?? undefined);
  }
}

function decode(
  announced: string | undefined,
  seeded: string | undefined,
  decision: string | undefined,
): PostDecisions {
  return {
    announcedAt: announced ?? null,
    seeded: seeded ? seededSchema.parse(JSON.parse(seeded)) : null,
    decision: decision ? (JSON.parse(decision) as MatchDecision) : null,
  };
}
