import { z } from 'zod';
import { PLATFORMS, type Platform } from '../posts/post.js';
import { CONFIG_CREATOR } from './declared.js';
import { cleanOptions, subscriptionOptionsSchema, type Subscription } from './subscription.js';
import type { ChannelRef, SubscriptionStore } from './subscription-store.js';
import type { FollowStore } from './follow-store.js';

/** The version of the backup format `psf-bot subscriptions export` writes. */
export const BACKUP_VERSION = 1;

const backedUp = z.object({
  platform: z.enum(PLATFORMS as [Platform, ...Platform[]]),
  workspaceId: z.string().min(1).max(100),
  channelId: z.string().min(1).max(100),
  feeds: z.array(z.string().max(32)).max(100),
  tags: z.array(z.string().max(100)).max(100),
  excludedTags: z.array(z.string().max(100)).max(100).optional(),
  options: subscriptionOptionsSchema,
  createdBy: z.string().max(100),
  createdAt: z.string().max(40),
  disabledReason: z.string().max(500).nullable(),
  disabledAt: z.string().max(40).nullable(),
});

/** A channel that follows a hub (Discord), with the webhook that `/psf unfollow` deletes. */
const backedUpFollow = z.object({
  platform: z.enum(PLATFORMS as [Platform, ...Platform[]]),
  workspaceId: z.string().min(1).max(100),
  channelId: z.string().min(1).max(100),
  feed: z.string().min(1).max(32),
  hubChannelId: z.string().min(1).max(100),
  webhookId: z.string().min(1).max(100),
  createdBy: z.string().max(100),
  createdAt: z.string().max(40),
});

const backupSchema = z.object({
  version: z.literal(BACKUP_VERSION, {
    error: `not a psf-bot subscriptions backup (version ${BACKUP_VERSION})`,
  }),
  exportedAt: z.string(),
  subscriptions: z.array(backedUp),
  /** Channels that follow a hub; absent in backups written before follows existed. */
  follows: z.array(backedUpFollow).optional(),
});

/** What `subscriptions export` prints and `subscriptions import` reads. */
export type SubscriptionsBackup = z.infer<typeof backupSchema>;

/**
 * Every subscription made in chat, with its options and disabled state (the operator's declared ones are not),
 * and every channel that follows a hub.
 */
export async function exportSubscriptions(
  store: SubscriptionStore,
  now: Date,
  followStore?: Pick<FollowStore, 'list'>,
): Promise<SubscriptionsBackup> {
  const made = (await store.list()).filter((sub) => sub.createdBy !== CONFIG_CREATOR);
  made.sort((a, b) => channelName(a).localeCompare(channelName(b)));
  const follows = followStore ? await followStore.list() : [];
  return {
    version: BACKUP_VERSION,
    exportedAt: now.toISOString(),
    subscriptions: made,
    ...(follows.length > 0 ? { follows } : {}),
  };
}

/** A backup that cannot be read; says what is wrong, never quoting the file. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/** Reads a backup's text; throws `BackupError` naming the first problem. */
export function parseBackup(text: string): SubscriptionsBackup {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BackupError('the backup is not JSON');
  }
  const parsed = backupSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BackupError(
      `the backup is not valid: ${issue?.path.join('.') || 'top level'}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

/**
 * Restores a backup: refuses (importing nothing) when a channel appears twice in it or already has a
 * subscription here, or a follow is already here or beside a subscription to its feed; and otherwise writes
 * each subscription and follow as it was, disabled ones still disabled (for the
 * same reason; the store dates the mark at the import).
 */
export async function importSubscriptions(
  store: SubscriptionStore,
  backup: SubscriptionsBackup,
  followStore?: FollowStore,
): Promise<{ imported: number; follows: number } | { duplicates: string[] }> {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const sub of backup.subscriptions) {
    const name = channelName(sub);
    if (seen.has(name) || (await store.get(sub)) !== null) duplicates.push(name);
    seen.add(name);
  }
  const follows = followStore ? (backup.follows ?? []) : [];
  const followed = new Set<string>();
  for (const follow of follows) {
    const name = `${channelName(follow)} (follow of the ${follow.feed} hub)`;
    const subscription = backup.subscriptions.find((sub) => channelName(sub) === channelName(follow));
    // A follow beside a subscription to the same feed would bring each post twice.
    const clash =
      (subscription && (subscription.feeds.length === 0 || subscription.feeds.includes(follow.feed))) ||
      (await followStore!.get(follow, follow.feed)) !== null;
    if (followed.has(name) || clash) duplicates.push(name);
    followed.add(name);
  }
  if (duplicates.length > 0) return { duplicates };
  for (const sub of backup.subscriptions) {
    const { excludedTags, ...rest } = sub;
    const restored: Subscription = {
      ...rest,
      ...(excludedTags && excludedTags.length > 0 ? { excludedTags } : {}),
      options: cleanOptions(sub.options),
    };
    await store.put({ ...restored, disabledReason: null, disabledAt: null });
    if (sub.disabledReason !== null) await store.disable(sub, sub.disabledReason);
  }
  for (const follow of follows) await followStore!.put(follow);
  return { imported: backup.subscriptions.length, follows: follows.length };
}

/** `slack:T1:C1`, as PSF_SUBSCRIPTIONS writes a channel. */
export function channelName(channel: ChannelRef): string {
  return `${channel.platform}:${channel.workspaceId}:${channel.channelId}`;
}
