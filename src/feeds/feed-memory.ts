import { fingerprint, fingerprintCandidates, undatedFingerprint } from '../posts/fingerprint.js';
import type { Post } from '../posts/post.js';

/** A post named by feed and id. */
export interface PostRef {
  feed: string;
  id: string;
}

/** What the poller remembers between polls: which feeds it has seen, which posts, and their fingerprints. */
export interface FeedMemory {
  /** True once a feed has been polled or backfilled: its posts from then on are news. */
  isKnown(feed: string): Promise<boolean>;
  markKnown(feed: string): Promise<void>;
  /** The ids among `ids` not seen yet for the feed, in the order given. */
  unseen(feed: string, ids: string[]): Promise<string[]>;
  /** Marks posts seen and records their fingerprints; a fingerprint keeps the first post that claimed it. */
  remember(feed: string, posts: Post[]): Promise<void>;
  /** For each post, the post that first claimed its fingerprint (any feed), or null. */
  fingerprintOwners(posts: Post[]): Promise<(PostRef | null)[]>;
  /**
   * Atomically claims each post's fingerprint for (feed, post id): true when the post now owns it (or already
   * did, or has none), false when another post got there first. Two feeds polled at once that carry the same
   * post both see it as unknown; only the one whose claim wins may announce it.
   */
  claim(feed: string, posts: Post[]): Promise<boolean[]>;
  /**
   * For each undated post, when its fingerprint was first seen (recorded as `now` the first time), which the
   * age limit uses in place of a publication date; null for dated posts.
   */
  firstSeen(posts: Post[], now: Date): Promise<(Date | null)[]>;
}

/** A `FeedMemory` in memory: tests, `preview`-style runs. */
export class MemoryFeedMemory implements FeedMemory {
  private readonly known = new Set<string>();
  private readonly seen = new Map<string, Set<string>>();
  private readonly fingerprints = new Map<string, PostRef>();
  private readonly firstSeenAt = new Map<string, Date>();

  async firstSeen(posts: Post[], now: Date): Promise<(Date | null)[]> {
    return posts.map((post) => {
      const key = undatedFingerprint(post);
      if (key === null) return null;
      if (!this.firstSeenAt.has(key)) this.firstSeenAt.set(key, now);
      return this.firstSeenAt.get(key)!;
    });
  }

  async isKnown(feed: string): Promise<boolean> {
    return this.known.has(feed);
  }

  async markKnown(feed: string): Promise<void> {
    this.known.add(feed);
  }

  async unseen(feed: string, ids: string[]): Promise<string[]> {
    const seen = this.seen.get(feed);
    return ids.filter((id) => !seen?.has(id));
  }

  async remember(feed: string, posts: Post[]): Promise<void> {
    const seen = this.seen.get(feed) ?? new Set<string>();
    this.seen.set(feed, seen);
    for (const post of posts) {
      seen.add(post.id);
      const key = fingerprint(post);
      if (key !== null && !this.fingerprints.has(key)) this.fingerprints.set(key, { feed, id: post.id });
    }
  }

  async claim(feed: string, posts: Post[]): Promise<boolean[]> {
    const owners = await this.fingerprintOwners(posts);
    return posts.map((post, i) => {
      const owner = owners[i];
      if (owner) return owner.feed === feed && owner.id === post.id;
      const key = fingerprint(post);
      if (key !== null) this.fingerprints.set(key, { feed, id: post.id });
      return true;
    });
  }

  async fingerprintOwners(posts: Post[]): Promise<(PostRef | null)[]> {
    return posts.map((post) => {
      for (const key of fingerprintCandidates(post)) {
        const owner = this.fingerprints.get(key);
        if (owner) return { ...owner };
      }
      return null;
    });
  }
}
