import { UnrecoverableError } from 'bullmq';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import type { DeliverDeps, DeliverJobHandle } from './deliver.js';
import type { LookUnfinished } from './look-first.js';

/** How an unverified delivery's failure reason begins (`deliveries failed` shows it, `retry` forces it). */
export const UNVERIFIED = 'unverified';

/** Whether a failed job's reason says it is an unverified delivery. */
export function isUnverifiedReason(reason: string | undefined): boolean {
  return (reason ?? '').startsWith(`${UNVERIFIED}: `);
}

/**
 * A look that could not finish within its deadline (Slack's history limits, a channel too busy to page
 * through): the delivery may or may not be in the channel. It is neither sent again (that could post twice)
 * nor dropped: the job fails as unverified, the channel's note says so in `status` and `subscriptions`, and
 * `psf-bot deliveries retry` forces the send.
 */
export async function recordUnverified(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  channel: ChannelRef,
  title: string,
  error: LookUnfinished,
): Promise<Error> {
  const name = `“${title.slice(0, 100)}”`;
  deps.counters.increment(deps.platform, 'unverified');
  deps.logger.error(
    { jobId: job.id, ...channel, lookStartedAt: error.startedAt.toISOString() },
    'delivery unverified: no look could show whether an earlier attempt posted it; not sent again',
  );
  const note =
    `${name} may or may not have been posted here: an earlier attempt's answer was lost and the bot could ` +
    `not check this channel's history in time, so it did not post again. The operator can send it with ` +
    `\`psf-bot deliveries retry ${String(job.id)}\`.`;
  await deps.notes?.set(channel, note.slice(0, 500)).catch((noteError: unknown) => {
    deps.logger.warn({ err: noteError }, 'could not note an unverified delivery');
  });
  return new UnrecoverableError(`${UNVERIFIED}: ${error.message}; \`deliveries retry\` sends it`);
}
