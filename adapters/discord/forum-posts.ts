import { DeliveryError, type Delivered, type DeliveryTarget } from '../../src/delivery/announcer.js';
import type { Post } from '../../src/posts/post.js';
import { renderDiscordAnnouncement } from './announcement.js';
import type { DiscordClient } from './client.js';
import { toDeliveryError } from './errors.js';
import { matchForumTags, threadName, type ForumTagCache } from './forum.js';

/** A forum requires a tag and the post carries none of its tags: https://discord.com/developers/docs/topics/opcodes-and-status-codes#json */
const TAG_REQUIRED = 40067;

/**
 * A forum post: `POST /channels/{forum}/threads`, titled after the post, the announcement as its first
 * message (whose id is the thread's), with the forum's tags that match the post's. Forum posts take no
 * nonce: a re-send after an attempt that may have reached Discord first looks (`findEarlier`).
 * https://discord.com/developers/docs/resources/channel#start-thread-in-forum-or-media-channel
 */
export async function postToForum(
  client: DiscordClient,
  forums: ForumTagCache,
  post: Post,
  target: DeliveryTarget,
): Promise<Delivered> {
  try {
    const forum = await forums.get(target.channelId);
    const appliedTags = matchForumTags(post, forum);
    if (forum.requireTag && appliedTags.length === 0) throw tagRequired(post, forum.tags);
    const body = {
      name: threadName(post.title),
      applied_tags: appliedTags,
      message: renderDiscordAnnouncement(post, target.options),
    };
    const thread = (await client.call('startForumThread', { channelId: target.channelId }, { body })) as {
      id: string;
      message?: { id: string };
    };
    return { messageId: thread.message?.id ?? thread.id, threadId: thread.id };
  } catch (error) {
    if (error instanceof DeliveryError && error.code === String(TAG_REQUIRED)) {
      // The cached tags were stale (the forum started requiring one): read them afresh next time.
      forums.forget(target.channelId);
      throw tagRequired(post, []);
    }
    throw toDeliveryError(error);
  }
}

/**
 * The forum post an earlier attempt may have made: an active thread of this forum, started by this bot,
 * with this name (a new post stays active for days).
 * https://discord.com/developers/docs/resources/guild#list-active-guild-threads
 */
export async function findEarlierForumPost(
  client: DiscordClient,
  botIdOf: () => Promise<string>,
  target: DeliveryTarget,
  name: string,
): Promise<Delivered | null> {
  const botId = await botIdOf();
  const { threads } = (await client.call('listActiveThreads', { guildId: target.workspaceId })) as {
    threads: { id: string; parent_id?: string | null; owner_id?: string; name?: string }[];
  };
  const found = threads.find(
    (thread) => thread.parent_id === target.channelId && thread.owner_id === botId && thread.name === name,
  );
  return found ? { messageId: found.id, threadId: found.id } : null;
}

/** The refusal when a forum requires a tag the post does not carry, naming both sides. */
function tagRequired(post: Post, forumTags: { name: string }[]): DeliveryError {
  const theirs = post.tags.length > 0 ? post.tags.join(', ') : 'none';
  const ours =
    forumTags.length > 0 ? `; the forum's tags: ${forumTags.map((tag) => tag.name).join(', ')}` : '';
  return DeliveryError.unsendable(
    'forum_tag_required',
    `this forum requires a tag, and none matches the post's tags (${theirs})${ours}: add a matching forum tag or turn off "Require tags"`,
  );
}
