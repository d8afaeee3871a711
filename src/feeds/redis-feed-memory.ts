import type { RedisClient } from '../store/redis-client.js';
import { fingerprint, fingerprintCandidates, undatedFingerprint } from '../posts/fingerprint.js';
import type { Post } from '../posts/post.js';
import type { FeedMemory, PostRef } from './feed-memory.js';

/**
 * `FeedMemory` in Redis. Keys: `<prefix>:feed:<name>:known` (flag), `<prefix>:feed:<name>:seen` (set of ids),
 * `<prefix>:feed-fingerprints` (hash fingerprint → owner, shared by all feeds so a post that moved between
 * feeds or ids is still recognised), `<prefix>:feed-first-seen` (hash undated fingerprint → first-seen time).
 */
// ARGV[1]: the claimant as stored; ARGV[2]: the post's own fingerprint; ARGV[3..]: every fingerprint it matches.
const CLAIM = `
for i = 3, #ARGV do
  local owner = redis.call('HGET', KEYS[1], ARGV[i])
  if owner and owner ~= ARGV[1] then return 0 end
end
redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[1])
return 1`;

export class RedisFeedMemory implements FeedMemory {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(feed: string, what: 'known' | 'seen'): string {
    return `${this.prefix}:feed:${feed}:${what}`;
  }

  private get fingerprintKey(): string {
    return `${this.prefix}:feed-fingerprints`;
  }

  async isKnown(feed: string): Promise<boolean> {
    return (await this.redis.exists(this.key(feed, 'known'))) === 1;
  }

  async markKnown(feed: string): Promise<void> {
    await this.redis.set(this.key(feed, 'known'), new Date().toISOString(), 'NX');
  }

  async unseen(feed: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const flags = await this.redis.smismember(this.key(feed, 'seen'), ...ids);
    return ids.filter((_, i) => flags[i] !== 1);
  }

  async remember(feed: string, posts: Post[]): Promise<void> {
    if (posts.length === 0) return;
    const multi = this.redis.multi();
    multi.sadd(this.key(feed, 'seen'), ...posts.map((post) => post.id));
    for (const post of posts) {
      const key = fingerprint(post);
      if (key !== null) multi.hsetnx(this.fingerprintKey, key, JSON.stringify([feed, post.id]));
    }
    const results = await multi.exec();
    const failed = results?.find(([error]) => error !== null);
    if (failed?.[0]) throw failed[0];
  }

  async claim(feed: string, posts: Post[]): Promise<boolean[]> {
    const claims = posts.map((post) => {
      const own = fingerprint(post);
      if (own === null) return Promise.resolve(1);
      const owner = JSON.stringify([feed, post.id]);
      return this.redis.eval(CLAIM, 1, this.fingerprintKey, owner, own, ...fingerprintCandidates(post));
    });
    return (await Promise.all(claims)).map((result) => Number(result) === 1);
  }

  async firstSeen(posts: Post[], now: Date): Promise<(Date | null)[]> {
    const keys = posts.map((post) => undatedFingerprint(post));
    const fields = keys.filter((key): key is string => key !== null);
    if (fields.length === 0) return posts.map(() => null);
    const hash = `${this.prefix}:feed-first-seen`;
    const multi = this.redis.multi();
    for (const field of fields) multi.hsetnx(hash, field, now.toISOString());
    multi.hmget(hash, ...fields);
    const results = await multi.exec();
    const times = (results?.at(-1)?.[1] ?? []) as (string | null)[];
    let at = 0;
    return keys.map((key) => {
      if (key === null) return null;
      const value = times[at++];
      return value ? new Date(value) : now;
    });
  }

  async fingerprintOwners(posts: Post[]): Promise<(PostRef | null)[]> {
    const candidates = posts.map((post) => fingerprintCandidates(post));
    const fields = candidates.flat();
    if (fields.length === 0) return posts.map(() => null);
    const values = await this.redis.hmget(this.fingerprintKey, ...fields);
    let at = 0;
    return candidates.map((keys) => {
      const found = values.slice(at, at + keys.length).find((value): value is string => value !== null);
      at += keys.length;
      return found === undefined ? null : parseOwner(found);
    });
  }
}

function parseOwner(value: string): PostRef | null {
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      return { feed: parsed[0], id: parsed[1] };
    }
  } catch {
    // A value this class did not write: treat the fingerprint as unclaimed.
  }
  return null;
}
