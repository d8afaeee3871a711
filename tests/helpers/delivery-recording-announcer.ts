import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Announcer, Delivered, DeliveryTarget } from '../../src/delivery/announcer.js';
import type { Digest } from '../../src/digests/digest.js';
import type { Platform, Post } from '../../src/posts/post.js';

/** One call to the recording platform, as stored in Redis. */
export interface RecordedCall {
  postId: string;
  channelId: string;
  nonce: string;
  /** Which process sent it. */
  sender: string;
  /** For a digest: the ids of the posts it listed. */
  digestOf?: string[];
  at: number;
}

// Like Discord with `enforce_nonce`: a nonce seen before returns the message it created, and no new
// message appears. Every call is logged; only new messages join the message list.
const SEND = `
redis.call('RPUSH', KEYS[3], ARGV[2])
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return existing end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('RPUSH', KEYS[2], ARGV[2])
return ARGV[3]`;

/**
 * A platform whose messages live in a Redis list, so a test can count what every worker process sent,
 * across crashes. Kept on a Redis other than the bot's when the bot's Redis is the thing that fails.
 */
export class RecordingAnnouncer implements Announcer {
  constructor(
    readonly platform: Platform,
    private readonly redis: Redis,
    private readonly key: string,
    private readonly sender: string,
    private readonly latencyMs = 0,
  ) {}

  async announce(post: Post, target: DeliveryTarget, nonce: string): Promise<Delivered> {
    return this.send({ postId: post.id, channelId: target.channelId, nonce, sender: this.sender, at: 0 });
  }

  async sendDigest(digest: Digest, target: DeliveryTarget, nonce: string): Promise<Delivered> {
    const postId = `digest-${digest.cadence}-${digest.periodEnd}`;
    const digestOf = digest.posts.map((post) => post.id);
    return this.send({ postId, channelId: target.channelId, nonce, sender: this.sender, at: 0, digestOf });
  }

  private async send(partial: RecordedCall): Promise<Delivered> {
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const call: RecordedCall = { ...partial, at: Date.now() };
    const fresh = randomBytes(8).toString('hex');
    const keys = [`${this.key}:nonces`, `${this.key}:messages`, `${this.key}:calls`];
    const messageId = await this.redis.eval(SEND, 3, ...keys, call.nonce, JSON.stringify(call), fresh);
    return { messageId: String(messageId) };
  }
}

/** What the recording platform saw: every call, and the messages it created (one per new nonce). */
export async function readRecording(
  redis: Redis,
  key: string,
): Promise<{ calls: RecordedCall[]; messages: RecordedCall[] }> {
  const [calls, messages] = await Promise.all([
    redis.lrange(`${key}:calls`, 0, -1),
    redis.lrange(`${key}:messages`, 0, -1),
  ]);
  const parse = (list: string[]) => list.map((item) => JSON.parse(item) as RecordedCall);
  return { calls: parse(calls), messages: parse(messages) };
}

/** How many messages the platform holds so far. */
export function countMessages(redis: Redis, key: string): Promise<number> {
  return redis.llen(`${key}:messages`);
}

/** Deletes the recording. */
export async function clearRecording(redis: Redis, key: string): Promise<void> {
  await redis.del(`${key}:nonces`, `${key}:messages`, `${key}:calls`);
}
