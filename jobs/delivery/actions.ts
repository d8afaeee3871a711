import { UnrecoverableError } from 'bullmq';
import type { Delivered } from '../../src/delivery/announcer.js';
import { buildDigest, type DigestSources } from '../../src/digests/digest.js';
import { postKey } from '../../src/posts/identity.js';
import type { Subscription } from '../../src/subscriptions/subscription.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import {
  deliverDigestJobSchema,
  deliverJobSchema,
  deliveryNonce,
  digestLedgerKey,
  digestNonce,
  type DeliverDigestJob,
  type DeliverJob,
} from '../queues.js';
import type { DeliverDeps } from './deliver.js';

/** What one deliver job does, whatever its kind: the ledger key it is recorded under and how to send it. */
export interface DeliveryAction {
  channel: ChannelRef;
  ledgerKey: string;
  /** Log fields naming what is delivered. */
  describe: Record<string, string>;
  /** Loads what the message needs: a send to make, or why there is nothing to send. */
  prepare(deps: DeliverDeps): Promise<{ send: () => Promise<Delivered> } | { skip: string }>;
  /** Runs once the message is in the ledger (also when a retry finds it there): keeps follow-up state right. */
  settle?(deps: DeliverDeps): Promise<void>;
}

/** Parses a deliver job's payload into its action: a post (the default) or a digest (`action: 'digest'`). */
export function parseDeliveryAction(data: unknown): DeliveryAction {
  if (typeof data === 'object' && data !== null && (data as { action?: unknown }).action === 'digest') {
    const parsed = deliverDigestJobSchema.safeParse(data);
    if (!parsed.success) throw new UnrecoverableError(`malformed digest job: ${parsed.error.message}`);
    return digestAction(parsed.data);
  }
  const parsed = deliverJobSchema.safeParse(data);
  if (!parsed.success) throw new UnrecoverableError(`malformed deliver job: ${parsed.error.message}`);
  return postAction(parsed.data);
}

function channelOf(data: { platform: ChannelRef['platform']; workspaceId: string; channelId: string }) {
  return { platform: data.platform, workspaceId: data.workspaceId, channelId: data.channelId };
}

async function enabledSubscription(deps: DeliverDeps, channel: ChannelRef): Promise<Subscription | string> {
  const subscription = await deps.subscriptions.get(channel);
  if (!subscription) return 'subscription removed';
  if (subscription.disabledReason !== null) return `subscription disabled: ${subscription.disabledReason}`;
  return subscription;
}

/** One post to one channel. */
function postAction(data: DeliverJob): DeliveryAction {
  const channel = channelOf(data);
  return {
    channel,
    ledgerKey: postKey(data.feed, data.postId),
    describe: { postId: data.postId },
    async prepare(deps) {
      const subscription = await enabledSubscription(deps, channel);
      if (typeof subscription === 'string') return { skip: subscription };
      const post = await deps.posts.get(data.feed, data.postId);
      if (!post) return { skip: 'post not stored' };
      const target = { ...channel, options: subscription.options };
      return { send: () => deps.announcer.announce(post, target, deliveryNonce(post, channel)) };
    },
  };
}

/** One period's digest to one channel. */
function digestAction(data: DeliverDigestJob): DeliveryAction {
  const channel = channelOf(data);
  const periodEnd = new Date(data.periodEnd);
  return {
    channel,
    ledgerKey: digestLedgerKey(data.periodKey),
    describe: { digest: data.periodKey },
    async prepare(deps) {
      if (!deps.digests) return { skip: 'digests are not set up in this worker' };
      const subscription = await enabledSubscription(deps, channel);
      if (typeof subscription === 'string') return { skip: subscription };
      if (subscription.options.digest !== data.cadence) return { skip: `no longer a ${data.cadence} digest` };
      const sources: DigestSources = { ...deps.digests, posts: deps.posts, ledger: deps.ledger };
      const digest = await buildDigest(sources, subscription, data.cadence, periodEnd);
      if (!digest) {
        // Nothing to say: nothing is sent, and the next digest starts from here.
        await deps.digests.marks.advance(channel, periodEnd);
        return { skip: 'nothing announced for this digest' };
      }
      const target = { ...channel, options: subscription.options };
      return { send: () => deps.announcer.sendDigest(digest, target, digestNonce(channel, data.periodKey)) };
    },
    async settle(deps) {
      await deps.digests?.marks.advance(channel, periodEnd);
    },
  };
}
