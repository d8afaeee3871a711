import type { APIMessage } from 'discord.js';
import {
  DeliveryError,
  type AnnounceMode,
  type Delivered,
  type DeliveryTarget,
  type LookResult,
  type LookSubject,
} from '../../src/delivery/announcer.js';
import type { Post } from '../../src/posts/post.js';
import { markedAsTest, renderDiscordAnnouncement } from './announcement.js';
import type { DiscordClient } from './client.js';
import { announces, CANNOT_READ, SKEW_MS, snowflakeAt } from './earlier.js';
import { toDeliveryError } from './errors.js';
import { matchForumTags, threadName, type ForumTagCache } from './forum.js';

/** A forum requires a tag and the post carries none of its tags: https://discord.com/developers/docs/topics/opcodes-and-status-codes#json */
const TAG_REQUIRED = 40067;
/** Unknown Message. */
const UNKNOWN_MESSAGE = 10008;

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
  mode: AnnounceMode = 'delivery',
): Promise<Delivered> {
  try {
    const forum = await forums.get(target.channelId);
    const appliedTags = matchForumTags(post, forum);
    const rendered = renderDiscordAnnouncement(post, target.options);
    if (forum.requireTag && appliedTags.length === 0) throw tagRequired(post, forum.tags);
    const body = {
      name: threadName(post.title),
      applied_tags: appliedTags,
      message: mode === 'test' ? markedAsTest(rendered) : rendered,
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

/** What a forum look searches for: the thread name the post would get, the subject, the first attempt. */
export interface ForumLook {
  name: string;
  subject: LookSubject;
  since: Date;
}

interface ThreadObject {
  id: string;
  parent_id?: string | null;
  owner_id?: string;
  name?: string;
  thread_metadata?: { archive_timestamp?: string };
}

/** At most this many pages of 50 archived threads are read: the forum post is near the first attempt. */
const MAX_ARCHIVED_PAGES = 5;

/**
 * The forum post an earlier attempt may have made: a thread of this forum the bot started since the first
 * attempt (its id is its creation time) under the name the post gets, whose first message is the bot's
 * announcement of this very post or digest (`announces`: names are cut at 100 characters, and a `/psf test`
 * post has the same name). Active threads and, as a forum archives idle posts after an hour, its archived
 * ones are searched. Errors come back classified; a bot that may not read the forum makes the look unavailable.
 * https://discord.com/developers/docs/resources/guild#list-active-guild-threads
 * https://discord.com/developers/docs/resources/channel#list-public-archived-threads
 */
export async function findEarlierForumPost(
  client: DiscordClient,
  botIdOf: () => Promise<string>,
  target: DeliveryTarget,
  look: ForumLook,
): Promise<LookResult> {
  try {
    const botId = await botIdOf();
    const after = BigInt(snowflakeAt(look.since.getTime() - SKEW_MS));
    const candidate = (thread: ThreadObject) =>
      thread.parent_id === target.channelId &&
      thread.owner_id === botId &&
      thread.name === look.name &&
      BigInt(thread.id) >= after;
    const { threads } = (await client.call('listActiveThreads', { guildId: target.workspaceId })) as {
      threads: ThreadObject[];
    };
    for (const thread of threads.filter(candidate)) {
      if (await startsWithAnnouncement(client, thread.id, botId, look.subject))
        return { found: { messageId: thread.id, threadId: thread.id } };
    }
    for await (const thread of archivedSince(client, target.channelId, look.since.getTime() - SKEW_MS)) {
      if (candidate(thread) && (await startsWithAnnouncement(client, thread.id, botId, look.subject)))
        return { found: { messageId: thread.id, threadId: thread.id } };
    }
    return { found: null };
  } catch (error) {
    if (error instanceof DeliveryError && CANNOT_READ.has(Number(error.code)))
      return { unavailable: `cannot read the forum's posts (${error.code}): grant Read Message History` };
    throw toDeliveryError(error);
  }
}

/**
 * The forum's public archived threads, most recently archived first, down to those archived before `sinceMs`
 * (a thread started after the first attempt was archived after it too).
 */
async function* archivedSince(
  client: DiscordClient,
  forumId: string,
  sinceMs: number,
): AsyncGenerator<ThreadObject> {
  let before: string | undefined;
  for (let page = 0; page < MAX_ARCHIVED_PAGES; page++) {
    const query = new URLSearchParams({ limit: '50', ...(before ? { before } : {}) });
    const answer = (await client.call('listPublicArchivedThreads', { channelId: forumId }, { query })) as {
      threads: ThreadObject[];
      has_more?: boolean;
    };
    for (const thread of answer.threads) {
      const archivedAt = thread.thread_metadata?.archive_timestamp;
      if (archivedAt && Date.parse(archivedAt) < sinceMs) return;
      yield thread;
    }
    before = answer.threads.at(-1)?.thread_metadata?.archive_timestamp;
    if (!answer.has_more || !before) return;
  }
}

/**
 * Whether the thread's first message (a forum post's has the thread's id) is the bot's announcement of the
 * subject. A first message deleted since (10008) is taken as ours: the thread is the bot's, under this name,
 * started since the first attempt, and posting again could only double it.
 */
async function startsWithAnnouncement(
  client: DiscordClient,
  threadId: string,
  botId: string,
  subject: LookSubject,
): Promise<boolean> {
  try {
    const first = (await client.call('getMessage', {
      channelId: threadId,
      messageId: threadId,
    })) as APIMessage;
    return announces(first, botId, subject);
  } catch (error) {
    if (error instanceof DeliveryError && error.code === String(UNKNOWN_MESSAGE)) return true;
    throw error;
  }
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
