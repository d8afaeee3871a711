import { postKey } from '../posts/identity.js';
import type { Post } from '../posts/post.js';
import { normaliseTag } from '../posts/tags.js';
import { byCountThenTag, compareNewestFirst, distinctTags, mostUsedLabel } from './post-order.js';
import type { PostStore, TagCount } from './post-store.js';

/** A `PostStore` in memory: for tests, `preview`-style runs and the console platform. */
export class MemoryPostStore implements PostStore {
  private readonly posts = new Map<string, Post>();

  /** Inserts or replaces posts; the tag index is derived on read, so replaced tags never linger. */
  async save(posts: Post[]): Promise<void> {
    for (const post of posts) this.posts.set(postKey(post.feed, post.id), clone(post));
  }

  async get(feed: string, id: string): Promise<Post | null> {
    const post = this.posts.get(postKey(feed, id));
    return post ? clone(post) : null;
  }

  async latest(count: number, feed?: string): Promise<Post[]> {
    return this.newest((post) => feed === undefined || post.feed === feed, count);
  }

  async byTag(tag: string, count: number): Promise<Post[]> {
    const wanted = normaliseTag(tag);
    if (wanted === '') return [];
    return this.newest((post) => distinctTags(post).has(wanted), count);
  }

  async tags(): Promise<TagCount[]> {
    const labels = new Map<string, Map<string, number>>();
    for (const post of this.posts.values()) {
      for (const [tag, label] of distinctTags(post)) {
        const spellings = labels.get(tag) ?? new Map<string, number>();
        spellings.set(label, (spellings.get(label) ?? 0) + 1);
        labels.set(tag, spellings);
      }
    }
    const counts: TagCount[] = [];
    for (const [tag, spellings] of labels) {
      let count = 0;
      for (const n of spellings.values()) count += n;
      counts.push({ tag, label: mostUsedLabel(spellings) ?? tag, count });
    }
    return counts.sort(byCountThenTag);
  }

  async count(feed?: string): Promise<number> {
    if (feed === undefined) return this.posts.size;
    let n = 0;
    for (const post of this.posts.values()) if (post.feed === feed) n += 1;
    return n;
  }

  async all(): Promise<Post[]> {
    return [...this.posts.values()].sort(compareNewestFirst).map(clone);
  }

  private newest(keep: (post: Post) => boolean, count: number): Post[] {
    if (count <= 0) return [];
    return [...this.posts.values()].filter(keep).sort(compareNewestFirst).slice(0, count).map(clone);
  }
}

function clone(post: Post): Post {
  return { ...post, tags: [...post.tags] };
}
