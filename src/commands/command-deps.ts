import type { DeclaredSubscription, FeedConfig } from '../config.js';
import type { DigestSchedule } from '../digests/period.js';
import { feedLabel } from '../feeds/catalogue.js';
import type { FeedStateStore } from '../feeds/feed-state.js';
import type { Logger } from '../logger.js';
import type { PostIndex } from '../search/post-index.js';
import type { PostStore } from '../store/post-store.js';
import type { DecisionLog } from '../delivery/decisions.js';
import type { DeliveryLedger } from '../delivery/ledger.js';
import type { ChannelNotes } from '../subscriptions/channel-notes.js';
import type { FollowStore } from '../subscriptions/follow-store.js';
import { MemoryChannelLocks, type ChannelLocks } from '../subscriptions/channel-locks.js';
import type { ChannelRef } from '../subscriptions/subscription-store.js';
import type { SubscriptionStore } from '../subscriptions/subscription-store.js';
import type { HubChannel } from '../config/hubs.js';
import type {
  ChannelFollows,
  DeliveryLookup,
  DigestLookup,
  FinalDigest,
  PollerHealth,
  QueueHealth,
  Reply,
  RolePings,
  TestAnnouncer,
} from './types.js';

/** What the command core reads and writes; every lookup answers from these, never from the network. */
export interface CommandDeps {
  posts: PostStore;
  index: PostIndex;
  subscriptions: SubscriptionStore;
  feedStates: FeedStateStore;
  queues: QueueHealth;
  feeds: FeedConfig[];
  /** The feeds `help` names, when not all of `feeds`: `ask` knows feeds polled once by hand, help does not. */
  helpFeeds?: FeedConfig[];
  /** The running poller's schedule; without it `status` assumes `pollIntervalMs` (this process's setting). */
  poller?: PollerHealth;
  pollIntervalMs: number;
  /** Notes about channels (a forum needing a tag), shown by `subscriptions` and `status`. */
  notes?: ChannelNotes;
  /** What was delivered where (`why`). */
  ledger?: DeliveryLedger;
  /** What fan-out and the poller decided about each post (`why`). */
  decisions?: DecisionLog;
  /** Where a deliver job stands (`why`): supplied by jobs/, the core knows no queue library. */
  deliveries?: DeliveryLookup;
  /** Which digest listed a post, and when the next one is due (`why` in digest channels): supplied by jobs/. */
  digests?: DigestLookup;
  /** Posts one announcement now, not recorded as a delivery (`test`). */
  testAnnouncer?: TestAnnouncer;
  /** Whether the bot can ping each subscription's role (`subscriptions` warns when not). */
  rolePings?: RolePings;
  /** Sends a channel's pending digest once when it switches `digest off`: supplied by jobs/. */
  finalDigest?: FinalDigest;
  /** When digests go out (`DIGEST_TIME`, `DIGEST_WEEKDAY`): replies name the next one. */
  digestSchedule?: DigestSchedule;
  /** Most subscriptions made in chat per workspace (`MAX_SUBSCRIPTIONS_PER_WORKSPACE`); 0 or absent: no limit. */
  maxSubscriptionsPerWorkspace?: number;
  /** Discord hub channels (`DISCORD_HUB_CHANNELS`): what `follow` makes a channel follow, one per feed. */
  hubs?: readonly HubChannel[];
  /** The channels that follow a hub (`follow`, `unfollow`, `subscriptions`, `why`). */
  follows?: FollowStore;
  /** Makes and ends Discord channel follows: supplied by the Discord adapter. */
  channelFollows?: ChannelFollows;
  /**
   * A short lock per channel, shared by every process (Redis): `subscribe` and `follow` check each other and
   * write under it. Absent: a lock of this process only.
   */
  channelLocks?: ChannelLocks;
  /** Channels the operator declared (`PSF_SUBSCRIPTIONS`): re-asserted by the poller, so not removable from chat. */
  declared?: readonly Pick<DeclaredSubscription, 'platform' | 'workspaceId' | 'channelId'>[];
  now?: () => Date;
  /** Where unexpected failures are reported; the caller only sees a generic message. */
  logger?: Logger;
}

/** The lock of commands whose deps bring none: this process's own. */
const processLocks = new MemoryChannelLocks();

/** What a command answers when another change to the channel held its lock all the time it waited. */
export const CHANNEL_BUSY: Reply = {
  kind: 'error',
  message: "Another change to this channel's announcements is under way: try again in a moment.",
};

/**
 * Runs a command's check-and-write on one channel under the channel's lock, so that a `subscribe` and a `follow`
 * started at the same moment cannot both pass the check that keeps them apart.
 */
export async function underChannelLock(
  deps: Pick<CommandDeps, 'channelLocks'>,
  channel: ChannelRef,
  work: () => Promise<Reply>,
): Promise<Reply> {
  const answer = await (deps.channelLocks ?? processLocks).hold(channel, work);
  return 'done' in answer ? answer.done : CHANNEL_BUSY;
}

/** `Unknown feed “x”. Known feeds: psf, insider.` */
export function unknownFeedMessage(feed: string, feeds: FeedConfig[]): string {
  const known = feeds.map(feedLabel).join(', ') || 'none configured';
  return `Unknown feed “${feed}”. Known feeds: ${known}.`;
}

/** `1 post`, `3 posts`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
