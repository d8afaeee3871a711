/**
 * Forum channels and threads of the fake Discord, modelled on Discord's API:
 * - a forum channel (type 15) lists `available_tags` and may require one (`flags` bit 4, REQUIRE_TAG);
 * - `POST /channels/{forum}/threads` creates a thread (type 11) with a first message whose id is the
 *   thread's id, and `applied_tags` (at most 5, ids from the forum's tags);
 * - `POST /channels/{channel}/messages/{message}/threads` opens a thread on a message: the thread's id is
 *   the message's id, and a message has at most one thread (160004).
 * https://discord.com/developers/docs/resources/channel#start-thread-in-forum-or-media-channel
 * https://discord.com/developers/docs/resources/channel#start-thread-from-message
 * https://discord.com/developers/docs/resources/channel#channel-object-channel-flags
 */
import { messageBodyProblems } from './validate.js';
import { BOT_USER, error, ok, wire, type CuedResponse, type FakeMessage } from './wire.js';

/** Channel flag REQUIRE_TAG: a forum post must carry a tag. */
export const REQUIRE_TAG = 1 << 4;
export const FORUM = 15;
export const PUBLIC_THREAD = 11;

export interface FakeForumTag {
  id: string;
  name: string;
  moderated: boolean;
  emoji_id: null;
  emoji_name: null;
}

export interface FakeThread {
  id: string;
  parentId: string;
  name: string;
  appliedTags: string[];
  /** When Discord archived it (an idle forum post is archived after its auto-archive duration). */
  archivedAt?: string;
}

/** What the threads model needs of the fake REST: its message lists and id source. */
export interface ThreadHost {
  readonly messages: Map<string, FakeMessage[]>;
  readonly channelTypes: Map<string, number>;
  newMessage(channelId: string, body: Record<string, unknown>, id?: string): FakeMessage;
  snowflake(): string;
}

/** Forums (tags, flags) and threads, by id. */
export class FakeThreads {
  readonly forums = new Map<string, { tags: FakeForumTag[]; flags: number }>();
  readonly threads = new Map<string, FakeThread>();

  constructor(private readonly host: ThreadHost) {}

  /** Declares a forum channel with these tag names; returns the tags with their ids. */
  addForum(id: string, tagNames: string[], options: { requireTag?: boolean } = {}): FakeForumTag[] {
    const tags = tagNames.map((name) => ({
      id: this.host.snowflake(),
      name,
      moderated: false,
      emoji_id: null,
      emoji_name: null,
    }));
    this.forums.set(id, { tags, flags: options.requireTag ? REQUIRE_TAG : 0 });
    this.host.channelTypes.set(id, FORUM);
    return tags;
  }

  /** The channel object for `GET /channels/{id}`, or null when this model does not know the id. */
  channel(id: string): Record<string, unknown> | null {
    const forum = this.forums.get(id);
    if (forum)
      return {
        id,
        type: FORUM,
        guild_id: '1',
        name: 'forum',
        flags: forum.flags,
        available_tags: forum.tags,
      };
    const thread = this.threads.get(id);
    if (thread) return this.threadObject(thread);
    return null;
  }

  /** `GET /guilds/{id}/threads/active`: every thread not archived (the fake has one server). */
  activeThreads(): CuedResponse {
    return ok({
      threads: [...this.threads.values()]
        .filter((thread) => !thread.archivedAt)
        .map((thread) => this.threadObject(thread)),
      members: [],
    });
  }

  /** Archives a thread as Discord does an idle one: it leaves the active list for the archived one. */
  archive(id: string, at = new Date()): void {
    const thread = this.threads.get(id);
    if (thread) thread.archivedAt = at.toISOString();
  }

  /**
   * `GET /channels/{id}/threads/archived/public?before=&limit=`: the channel's archived public threads, most
   * recently archived first, those archived before `before` (an ISO time), `limit` (2–100, default 50) a page.
   * https://discord.com/developers/docs/resources/channel#list-public-archived-threads
   */
  archivedThreads(channelId: string, query: URLSearchParams): CuedResponse {
    const before = query.get('before');
    const limit = Math.min(100, Math.max(2, Number(query.get('limit') ?? '50') || 50));
    const archived = [...this.threads.values()]
      .filter((thread) => thread.parentId === channelId && thread.archivedAt)
      .filter((thread) => !before || Date.parse(thread.archivedAt!) < Date.parse(before))
      .sort((a, b) => Date.parse(b.archivedAt!) - Date.parse(a.archivedAt!));
    return ok({
      threads: archived.slice(0, limit).map((thread) => this.threadObject(thread)),
      members: [],
      has_more: archived.length > limit,
    });
  }

  /** `POST /channels/{id}/threads`: a forum post. */
  createForumPost(forumId: string, body: Record<string, unknown>): CuedResponse {
    const forum = this.forums.get(forumId);
    if (!forum) return error(400, 50024, 'Cannot execute action on this channel type');
    const name = typeof body.name === 'string' ? body.name : '';
    if (name.length < 1 || name.length > 100) return invalid('name', 'Must be between 1 and 100 in length.');
    const applied = Array.isArray(body.applied_tags) ? body.applied_tags.map(String) : [];
    if (applied.length > 5) return invalid('applied_tags', 'Must be 5 or fewer in length.');
    if (applied.some((tag) => !forum.tags.some((known) => known.id === tag)))
      return invalid('applied_tags', 'Unknown tag.');
    if (applied.length === 0 && forum.flags & REQUIRE_TAG)
      return error(400, 40067, 'A tag is required to create a forum post in this channel');
    const message = (body.message ?? {}) as Record<string, unknown>;
    const problems = messageBodyProblems(message);
    if (problems.length > 0)
      return { status: 400, body: { code: 50035, message: 'Invalid Form Body', errors: problems } };
    const id = this.host.snowflake();
    const thread: FakeThread = { id, parentId: forumId, name, appliedTags: applied };
    this.threads.set(id, thread);
    this.host.channelTypes.set(id, PUBLIC_THREAD);
    const first = this.host.newMessage(id, message, id);
    this.host.messages.set(id, [first]);
    return ok({ ...this.threadObject(thread), message: wire(first) });
  }

  /** `POST /channels/{channel}/messages/{message}/threads`: a thread on an existing message. */
  createFromMessage(channelId: string, messageId: string, body: Record<string, unknown>): CuedResponse {
    const message = this.host.messages.get(channelId)?.find((item) => item.id === messageId);
    if (!message) return error(404, 10008, 'Unknown Message');
    if (this.threads.has(messageId))
      return error(400, 160004, 'A thread has already been created for this message');
    const name = typeof body.name === 'string' ? body.name : '';
    if (name.length < 1 || name.length > 100) return invalid('name', 'Must be between 1 and 100 in length.');
    const thread: FakeThread = { id: messageId, parentId: channelId, name, appliedTags: [] };
    this.threads.set(messageId, thread);
    this.host.channelTypes.set(messageId, PUBLIC_THREAD);
    return ok(this.threadObject(thread));
  }

  private threadObject(thread: FakeThread): Record<string, unknown> {
    return {
      id: thread.id,
      type: PUBLIC_THREAD,
      guild_id: '1',
      parent_id: thread.parentId,
      owner_id: BOT_USER.id,
      name: thread.name,
      applied_tags: thread.appliedTags,
      thread_metadata: {
        archived: Boolean(thread.archivedAt),
        auto_archive_duration: 4320,
        locked: false,
        ...(thread.archivedAt ? { archive_timestamp: thread.archivedAt } : {}),
      },
    };
  }
}

function invalid(field: string, message: string): CuedResponse {
  return {
    status: 400,
    body: {
      code: 50035,
      message: 'Invalid Form Body',
      errors: { [field]: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message }] } },
    },
  };
}
