import type { ChannelRef } from '../subscriptions/subscription-store.js';
import type { AnnouncementStyle } from '../templates/style.js';

/** What the platform gave back when it accepted one announcement. */
export interface LedgerEntry {
  messageId: string;
  deliveredAt: string;
  /** Discord: the thread holding the message (a forum post). */
  threadId?: string;
  /** The post's `contentVersion` the message shows now (absent: recorded before edits existed). */
  version?: string;
  /** When the message was last edited to show a new version. */
  editedAt?: string;
  /**
   * The template and style the message was sent with (absent: none, the platform's default layout). Edits
   * keep them, whatever the subscription says now: a style change applies to later posts.
   */
  template?: string;
  style?: AnnouncementStyle;
  /**
   * A hub channel's second step: when the message was crossposted (published) to the channels following the
   * hub. A hub delivery is done once both the message and this are recorded.
   */
  crosspostedAt?: string;
}

/** One recorded delivery of a post. */
export interface LedgerRecord extends LedgerEntry {
  channel: ChannelRef;
}

/**
 * What was delivered where: (post, channel) → message id and time. Written only after the platform
 * accepted the message; a deliver job that finds its entry does nothing.
 */
export interface DeliveryLedger {
  get(postKey: string, channel: ChannelRef): Promise<LedgerEntry | null>;
  /** Records a delivery; the first record wins. Returns false when one was already there. */
  record(postKey: string, channel: ChannelRef, entry: LedgerEntry): Promise<boolean>;
  /** Every channel the post was delivered to. */
  forPost(postKey: string): Promise<LedgerRecord[]>;
  /**
   * Writes `changes` into an existing entry, keeping its other fields (an edit's version and a hub's publish,
   * written by different jobs from entries each read earlier, must not undo each other); does nothing where
   * nothing was delivered.
   */
  update(postKey: string, channel: ChannelRef, changes: Partial<LedgerEntry>): Promise<void>;
  /**
   * Notes, before a send, that an attempt may reach the platform. Returns when the first such attempt began
   * if one did (its message may exist: look before sending again), else null and remembers `at`.
   */
  markAttempt(postKey: string, channel: ChannelRef, at: Date): Promise<Date | null>;
  /** When the first attempt that may have reached the platform began, if one did (read only). */
  attemptedAt(postKey: string, channel: ChannelRef): Promise<Date | null>;
  /** Forgets the mark: the platform refused the send outright, so no message of it can exist. */
  clearAttempt(postKey: string, channel: ChannelRef): Promise<void>;
  /**
   * Moves the mark to `at`, just before a re-send: the look before it showed that no earlier attempt's message
   * exists, so only this send's message can (the next look reads from here, not from the first attempt).
   */
  moveAttempt(postKey: string, channel: ChannelRef, at: Date): Promise<void>;
}

/** The field naming a channel: JSON keeps ids holding `:` unambiguous. */
export function channelField(channel: ChannelRef): string {
  return JSON.stringify([channel.platform, channel.workspaceId, channel.channelId]);
}

/** A ledger in memory, for tests and single-process runs. */
export class MemoryDeliveryLedger implements DeliveryLedger {
  private readonly entries = new Map<string, Map<string, LedgerRecord>>();
  private readonly attempts = new Map<string, Date>();

  async get(postKey: string, channel: ChannelRef): Promise<LedgerEntry | null> {
    const found = this.entries.get(postKey)?.get(channelField(channel));
    if (!found) return null;
    const { channel: _channel, ...entry } = found;
    return entry;
  }

  async record(postKey: string, channel: ChannelRef, entry: LedgerEntry): Promise<boolean> {
    const forPost = this.entries.get(postKey) ?? new Map<string, LedgerRecord>();
    this.entries.set(postKey, forPost);
    const key = channelField(channel);
    if (forPost.has(key)) return false;
    const { platform, workspaceId, channelId } = channel;
    forPost.set(key, { ...entry, channel: { platform, workspaceId, channelId } });
    return true;
  }

  async forPost(postKey: string): Promise<LedgerRecord[]> {
    return [...(this.entries.get(postKey)?.values() ?? [])];
  }

  async update(postKey: string, channel: ChannelRef, changes: Partial<LedgerEntry>): Promise<void> {
    const found = this.entries.get(postKey)?.get(channelField(channel));
    if (found) this.entries.get(postKey)!.set(channelField(channel), { ...found, ...changes });
  }

  async markAttempt(postKey: string, channel: ChannelRef, at: Date): Promise<Date | null> {
    const key = `${postKey}\u0000${channelField(channel)}`;
    const first = this.attempts.get(key);
    if (first) return first;
    this.attempts.set(key, at);
    return null;
  }

  async attemptedAt(postKey: string, channel: ChannelRef): Promise<Date | null> {
    return this.attempts.get(`${postKey}\u0000${channelField(channel)}`) ?? null;
  }

  async clearAttempt(postKey: string, channel: ChannelRef): Promise<void> {
    this.attempts.delete(`${postKey}\u0000${channelField(channel)}`);
  }

  async moveAttempt(postKey: string, channel: ChannelRef, at: Date): Promise<void> {
    this.attempts.set(`${postKey}\u0000${channelField(channel)}`, at);
  }
}
