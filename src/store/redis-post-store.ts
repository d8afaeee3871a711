import type { RedisClient } from './redis-client.js';
import { postKey } from '../posts/identity.js';
import type { Post } from '../posts/post.js';
import { normaliseTag } from '../posts/tags.js';
import { byCountThenTag, compareNewestFirst, distinctTags, publishedScore } from './post-order.js';
import type { PostStore, TagCount } from './post-store.js';
import { SAVE_POSTS_SCRIPT } from './save-posts-script.js';

/** Posts per EVAL: keeps each script run short while the MULTI around them keeps the save atomic. */
const CHUNK = 100;

/**
 * The `PostStore` in Redis. Layout under `${prefix}`:
 * `:posts` hash key → post JSON, `:posts:tags` hash key → its [tag, label] pairs (to undo on replace),
 * `:posts:by-time` and `:posts:feed:<feed>` sorted sets by publication time,
 * `:tag-posts:<tag>` sorted set per normalised tag, `:tags:count` sorted set tag → posts,
 * `:tag-labels:<tag>` hash label → posts, `:tags:label` hash tag → most used label.
 */
export class RedisPostStore implements PostStore {
  private readonly keys: {
    posts: string;
    postTags: string;
    byTime: string;
    tagCount: string;
    tagLabel: string;
  };

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    this.keys = {
      posts: `${prefix}:posts`,
      postTags: `${prefix}:posts:tags`,
      byTime: `${prefix}:posts:by-time`,
      tagCount: `${prefix}:tags:count`,
      tagLabel: `${prefix}:tags:label`,
    };
  }

  /** One MULTI of server-side scripts: old tags are undone and new ones counted in the same step. */
  async save(posts: Post[]): Promise<void> {
    if (posts.length === 0) return;
    const { posts: postsKey, postTags, byTime, tagCount, tagLabel } = this.keys;
    const multi = this.redis.multi();
    for (let start = 0; start < posts.length; start += CHUNK) {
      const args: string[] = [this.prefix];
      for (const post of posts.slice(start, start + CHUNK)) {
        const score = publishedScore(post);
        args.push(
          postKey(post.feed, post.id),
          JSON.stringify(post),
          score === -Infinity ? '-inf' : String(score),
          post.feed,
          JSON.stringify([...distinctTags(post)]),
        );
      }
      multi.eval(SAVE_POSTS_SCRIPT, 5, postsKey, postTags, byTime, tagCount, tagLabel, ...args);
    }
    const results = await multi.exec();
    const failed = results?.find(([error]) => error !== null);
    if (!results || failed) throw failed?.[0] ?? new Error('saving posts was aborted');
  }

  async get(feed: string, id: string): Promise<Post | null> {
    const json = await this.redis.hget(this.keys.posts, postKey(feed, id));
    return json === null ? null : decode(json);
  }

  async latest(count: number, feed?: string): Promise<Post[]> {
    const key = feed === undefined ? this.keys.byTime : `${this.prefix}:posts:feed:${feed}`;
    return this.newest(key, count);
  }

  async byTag(tag: string, count: number): Promise<Post[]> {
    const wanted = normaliseTag(tag);
    if (wanted === '') return [];
    return this.newest(`${this.prefix}:tag-posts:${wanted}`, count);
  }

  async tags(): Promise<TagCount[]> {
    const [counts, labels] = await Promise.all([
      this.redis.zrange(this.keys.tagCount, 0, -1, 'WITHSCORES'),
      this.redis.hgetall(this.keys.tagLabel),
    ]);
    const tags: TagCount[] = [];
    for (let i = 0; i + 1 < counts.length; i += 2) {
      const tag = counts[i] as string;
      tags.push({ tag, label: labels[tag] ?? tag, count: Number(counts[i + 1]) });
    }
    return tags.sort(byCountThenTag);
  }

  async count(feed?: string): Promise<number> {
    return this.redis.zcard(feed === undefined ? this.keys.byTime : `${this.prefix}:posts:feed:${feed}`);
  }

  async all(): Promise<Post[]> {
    const values = await this.redis.hvals(this.keys.posts);
    return values.map(decode).sort(compareNewestFirst);
  }

  private async newest(key: string, count: number): Promise<Post[]> {
    if (count <= 0) return [];
    const members = await this.redis.zrevrange(key, 0, count - 1);
    if (members.length === 0) return [];
    const values = await this.redis.hmget(this.keys.posts, ...members);
    return values.filter((json): json is string => json !== null).map(decode);
  }
}

function decode(json: string): Post {
  return JSON.parse(json) as Post;
}
