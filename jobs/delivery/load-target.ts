import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import type { DeliverJob } from '../queues.js';
import type { DeliverDeps, DeliverJobHandle } from './deliver.js';
import { admittedSubscription } from './failure.js';
import { isHub } from '../../src/delivery/hub-ref.js';
import { loadHub } from './hub.js';

/**
 * The load step of a post's delivery or edit: the channel's subscription (skipped when removed or disabled)
 * and the post as stored now (skipped when gone). A hub channel has no subscription: see `loadHub`.
 */
export async function loadTarget(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  data: DeliverJob,
  channel: ChannelRef,
  token?: string,
) {
  const skip = (reason: string) => {
    deps.logger.info({ jobId: job.id, ...channel, postId: data.postId, reason }, 'delivery skipped');
    return { status: 'skipped' as const, reason };
  };
  if (isHub(channel)) return loadHub(deps, job, data, channel);
  // A channel the mass-disable guard holds until the platform confirms it: nothing is sent there meanwhile,
  // and this job runs again once the platform clears it.
  const subscription = await admittedSubscription(deps, job, token, channel);
  if ('skip' in subscription) return skip(subscription.skip);
  const post = await deps.posts.get(data.feed, data.postId);
  if (!post) return skip('post not stored');
  return { post, options: subscription.options };
}
