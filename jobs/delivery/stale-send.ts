import type { Announcer } from '../../src/delivery/announcer.js';
import type { DeliveryLedger } from '../../src/delivery/ledger.js';
import type { Logger } from '../../src/logger.js';
import { postKey } from '../../src/posts/identity.js';
import { contentVersion } from '../../src/posts/version.js';
import type { PostStore } from '../../src/store/post-store.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import { staleSendEditJobId, type DeliverJob } from '../queues.js';
import type { DeliverJobHandle } from './deliver.js';

/** Adds one edit deliver job for one channel; supplied by `workers.ts` over the platform's deliver queue. */
export interface EditQueue {
  /** `like`: the sending job's options, whose attempts and back-off the edit takes. */
  add(data: DeliverJob, jobId: string, like: DeliverJobHandle['opts']): Promise<void>;
}

/** What checking a send against the post's current version needs. */
export interface StaleSendDeps {
  announcer: Pick<Announcer, 'edit'>;
  ledger: DeliveryLedger;
  posts: PostStore;
  logger: Logger;
  editQueue?: EditQueue;
}

/**
 * After a send is in the ledger: when the message shows an older version than the stored post (the post
 * changed while the send was in flight, and the edit fan-out read the ledger before this entry was written, so
 * it skipped this channel), queues this channel's own edit. The poller saves a post before it queues its edit,
 * so either the fan-out saw this entry or this check sees the new version: no change is missed.
 */
export async function editIfStale(
  deps: StaleSendDeps,
  job: DeliverJobHandle,
  data: DeliverJob,
  channel: ChannelRef,
): Promise<void> {
  // A platform without edits (the console) has nothing to queue.
  if (!deps.editQueue || !deps.announcer.edit) return;
  const [entry, post] = await Promise.all([
    deps.ledger.get(postKey(data.feed, data.postId), channel),
    deps.posts.get(data.feed, data.postId),
  ]);
  if (!entry?.version || !post) return;
  const current = contentVersion(post);
  if (entry.version === current) return;
  deps.logger.info(
    { jobId: job.id, ...channel, postId: data.postId, shown: entry.version, current },
    'sent an older version than the stored post: queueing its edit',
  );
  const edit: DeliverJob = { ...data, ...channel, action: 'edit', version: current };
  await deps.editQueue.add(edit, staleSendEditJobId(post, current, channel), job.opts);
}
