import type { Post } from '../../src/posts/post.js';
import { normaliseTag } from '../../src/posts/tags.js';
import type { DiscordClient } from './client.js';

/** A forum's tags and whether a post must carry one (channel flag REQUIRE_TAG, 1 << 4). */
export interface ForumInfo {
  tags: { id: string; name: string }[];
  requireTag: boolean;
}

/** https://discord.com/developers/docs/resources/channel#channel-object-channel-flags */
const REQUIRE_TAG = 1 << 4;
/** A forum post carries at most 5 tags: https://discord.com/developers/docs/resources/channel#start-thread-in-forum-or-media-channel */
export const MAX_APPLIED_TAGS = 5;
/** Thread names are 1–100 characters. */
export const MAX_THREAD_NAME = 100;
/** How long a forum's tags are trusted before they are read again (moderators edit them now and then). */
export const FORUM_TAGS_TTL_MS = 10 * 60_000;

/** The forum's tags matching the post's, case-, space- and hyphen-insensitively, in the post's order, at most 5. */
export function matchForumTags(post: Pick<Post, 'tags'>, forum: ForumInfo): string[] {
  const byName = new Map(forum.tags.map((tag) => [normaliseTag(tag.name), tag.id]));
  const ids = post.tags.map((tag) => byName.get(normaliseTag(tag))).filter((id): id is string => !!id);
  return [...new Set(ids)].slice(0, MAX_APPLIED_TAGS);
}

/** A thread name from a post title: whitespace folded, 1–100 characters (cut with an ellipsis). */
export function threadName(title: string): string {
  const folded = title.replace(/\s+/g, ' ').trim() || 'New post';
  const chars = [...folded];
  return chars.length <= MAX_THREAD_NAME ? folded : `${chars.slice(0, MAX_THREAD_NAME - 1).join('')}…`;
}

/** Reads each forum's `available_tags` and flags, keeping them `FORUM_TAGS_TTL_MS`. */
export class ForumTagCache {
  private readonly cache = new Map<string, { info: ForumInfo; at: number }>();

  constructor(
    private readonly client: DiscordClient,
    private readonly now: () => number = Date.now,
  ) {}

  async get(channelId: string): Promise<ForumInfo> {
    const cached = this.cache.get(channelId);
    if (cached && this.now() - cached.at < FORUM_TAGS_TTL_MS) return cached.info;
    const channel = (await this.client.call('getChannel', { channelId })) as {
      flags?: number;
      available_tags?: { id: string; name: string }[];
    };
    const info: ForumInfo = {
      tags: (channel.available_tags ?? []).map(({ id, name }) => ({ id: String(id), name: String(name) })),
      requireTag: ((channel.flags ?? 0) & REQUIRE_TAG) !== 0,
    };
    this.cache.set(channelId, { info, at: this.now() });
    return info;
  }

  /** Forgets a forum's tags (Discord said a tag was required that the cache did not know of). */
  forget(channelId: string): void {
    this.cache.delete(channelId);
  }
}
