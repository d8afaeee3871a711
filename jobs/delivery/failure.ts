import { DelayedError, UnrecoverableError } from 'bullmq';
import { DeliveryError } from '../../src/delivery/announcer.js';
import type { DeliveryCounters } from '../../src/delivery/counters.js';
import { guardScope, type GuardVerdict, type RedisDisableGuard } from '../../src/delivery/disable-guard.js';
import type { DeliveryLedger } from '../../src/delivery/ledger.js';
import type { Logger } from '../../src/logger.js';
import type { Platform } from '../../src/posts/post.js';
import type { Subscription } from '../../src/subscriptions/subscription.js';
import type { ChannelRef, SubscriptionStore } from '../../src/subscriptions/subscription-store.js';
import type { DeliverJobHandle } from './deliver.js';
import { reactToRateLimit, type RateLimitDeps } from './rate-limited.js';
import { isHub } from '../../src/delivery/hub-ref.js';
import { hubRefusal } from './hub.js';

/** The mass-disable guard as the deliver job uses it. */
export type DisableGuard = Pick<RedisDisableGuard, 'sent' | 'lost' | 'tripped' | 'admit' | 'holding'> & {
  /** `RedisDisableGuard.skipped`; a guard that cannot tell what it did with the note resolves to nothing. */
  skipped(channel: ChannelRef, jobId: string): Promise<'noted' | 'paused' | 'held' | void>;
};

/** What turning a failure into queue behaviour needs. */
export interface FailureDeps extends RateLimitDeps {
  platform: Platform;
  subscriptions: SubscriptionStore;
  ledger: DeliveryLedger;
  counters: DeliveryCounters;
  logger: Logger;
  guard?: DisableGuard;
  /** Pauses this platform's deliver queue in every process until the guard is cleared (platform-wide guards). */
  pausePlatform?(): Promise<void>;
  /** Told when this job tripped the guard (any scope): this process's probe then runs at once. */
  guardTripped?(): void;
}

/** How soon a job whose channel the guard holds (its scope not paused) runs again, to skip and wait for re-drive. */
const HELD_RECHECK_MS = 1_000;

/** Why a job for a channel the mass-disable guard holds is skipped (it is re-driven once cleared). */
export const HELD_BY_GUARD = 'held by the mass-disable guard until the platform confirms this channel';

/** How long a job waits in delayed while its platform is paused by the guard (no attempt spent). */
export const GUARD_HOLD_MS = 30_000;

/** A key and the channel of one delivery. */
export interface Failing {
  key: string;
  channel: ChannelRef;
  /**
   * True when the send of the first attempt failed; false when looking for an earlier attempt did, or when an
   * earlier attempt may have posted. Only then does a refused send prove no message exists: otherwise the
   * attempt mark stays, so the next attempt looks again (a look inside Discord's nonce window reads nothing).
   */
  refusedSend: boolean;
  /** True when the failure answered the look before a re-send, not a send: a 429 then holds only looks. */
  looking?: boolean;
  postId?: string;
}

/** Turns a platform failure into what BullMQ should do, counting, disabling or holding on the way. */
export async function classifyFailure(
  deps: FailureDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  { key, channel, refusedSend, looking, postId }: Failing,
  error: unknown,
): Promise<Error> {
  const log = { jobId: job.id, ...channel };
  if (error instanceof DeliveryError && error.kind === 'rejected') {
    // The same message would be refused again; the channel itself is fine, so it stays enabled.
    if (refusedSend) await deps.ledger.clearAttempt(key, channel);
    deps.counters.increment(deps.platform, 'failed');
    deps.logger.error(
      { ...log, postId, code: error.code, reason: error.message },
      'platform rejected the message: this delivery failed, not retried',
    );
    return new UnrecoverableError(`${error.code}: ${error.message}`);
  }
  if (error instanceof DeliveryError && error.kind === 'rate_limited') {
    // A 429 to a send is a refusal: no message was created, so a re-send needs no look first.
    if (refusedSend) await deps.ledger.clearAttempt(key, channel);
    deps.counters.increment(deps.platform, 'rate_limited');
    deps.logger.warn({ ...log, waitMs: error.retryAfterMs, scope: error.scope }, 'platform rate limit');
    return reactToRateLimit(deps, job, token, channel, error, looking);
  }
  if (error instanceof DeliveryError && error.kind === 'permanent') {
    if (refusedSend) await deps.ledger.clearAttempt(key, channel);
    // A hub is config, not a subscription: nothing to disable, and the mass-disable guard counts subscriptions.
    if (isHub(channel))
      return hubRefusal(deps, channel, `Discord refused the message: ${error.code} ${error.message}`, job);
    const reason = `${error.code}: ${error.message}`;
    const verdict: GuardVerdict = deps.guard
      ? await deps.guard.lost(channel, reason, String(job.id), error.code)
      : { action: 'disable' };
    if (verdict.action === 'hold') return hold(deps, job, token, channel, verdict);
    if (verdict.action === 'held') {
      // A suspect, or a channel of a suspect's server: the platform's confirmation decides, not this answer.
      deps.counters.increment(deps.platform, 'held');
      deps.logger.warn({ ...log, reason }, 'lost-access answer held until the platform confirms the channel');
      // Back soon: the next run finds the channel held, notes itself for re-drive and ends (`admit`).
      return waitForGuard(job, token, HELD_RECHECK_MS);
    }
    // `keep`: the platform's confirmation (e.g. "the bot was removed from this server") may have landed first.
    await deps.subscriptions.disable(channel, reason, { keep: true });
    // The guard may have tripped between its verdict and the disable: this channel is then among its suspects
    // and re-drives, so the confirmation (with the re-drive after it) decides; wait with the others.
    if (await deps.guard?.holding(channel)) {
      deps.counters.increment(deps.platform, 'held');
      return waitForGuard(job, token);
    }
    deps.counters.increment(deps.platform, 'disabled');
    deps.counters.increment(deps.platform, 'failed');
    deps.logger.warn({ ...log, reason }, 'permanent delivery failure: subscription disabled');
    return new UnrecoverableError(reason);
  }
  const lastAttempt = countFailedAttempt(deps, job);
  deps.logger.warn({ ...log, err: error, attempt: job.attemptsMade + 1, lastAttempt }, 'delivery failed');
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * The guard is tripped: disable nothing more, pause the platform, wait. The channels disabled just before stay
 * so until the probe round has asked the platform about them (`confirm-access.ts`): re-enabling them here
 * would race with that decision.
 */
async function hold(
  deps: FailureDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
  verdict: Extract<GuardVerdict, { action: 'hold' }>,
): Promise<Error> {
  deps.counters.increment(deps.platform, 'held');
  if (verdict.justTripped) {
    // On Slack each workspace has its own token: only that workspace is held (its jobs wait in delayed).
    const scope = guardScope(channel);
    deps.logger.error(
      { platform: deps.platform, scope, reason: verdict.trip.reason, suspects: verdict.earlier.length + 1 },
      `mass-disable guard: too many channels lost access at once; pausing ${scope === deps.platform ? 'this platform' : 'this workspace'}, disabling nothing. ` +
        'Check the token, DISCORD_API_URL/SLACK_API_URL and any proxy; once a probe succeeds the platform is asked about each channel, and deliveries resume',
    );
    if (scope === deps.platform) await deps.pausePlatform?.();
    deps.guardTripped?.();
  }
  deps.logger.warn({ jobId: job.id, ...channel }, 'lost-access answer held by the mass-disable guard');
  return waitForGuard(job, token);
}

/**
 * A job whose channel's subscription is disabled: while the guard is tripped over its scope it waits, as the
 * platform's confirmation may re-enable the channel; otherwise the caller skips it, noted so that a trip over
 * the channel within the guard's window re-drives it.
 */
export async function holdOrNoteSkip(
  deps: Pick<FailureDeps, 'guard'>,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
): Promise<void> {
  if (await deps.guard?.tripped(guardScope(channel))) throw await waitForGuard(job, token);
  // The guard may trip between that look and the note: the note then says so, and the job waits too.
  if ((await deps.guard?.skipped(channel, String(job.id))) === 'paused') throw await waitForGuard(job, token);
}

/**
 * The channel's subscription when a delivery may go there now, or why the job is skipped: the guard holds the
 * channel until the platform confirms it, the subscription is gone, or it is disabled (noted for re-drive, or the
 * job waits while the guard is tripped). The guard is asked before the subscription is read: the platform's
 * confirmation re-enables a channel before it stops holding it, so a job admitted after that reads it enabled.
 */
export async function admittedSubscription(
  deps: Pick<FailureDeps, 'guard' | 'subscriptions'>,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
): Promise<Subscription | { skip: string }> {
  if ((await deps.guard?.admit(channel, String(job.id))) === 'held') return { skip: HELD_BY_GUARD };
  const subscription = await deps.subscriptions.get(channel);
  if (!subscription) return { skip: 'subscription removed' };
  if (subscription.disabledReason !== null) {
    await holdOrNoteSkip(deps, job, token, channel);
    return { skip: `subscription disabled: ${subscription.disabledReason}` };
  }
  return subscription;
}

/** Discord's "Cannot execute action on this channel type" (e.g. a crosspost outside an announcement channel). */
export const WRONG_CHANNEL_TYPE = '50024';

/** Counts a failed attempt that BullMQ retries, or fails when it was the job's last; true on the last. */
export function countFailedAttempt(
  deps: Pick<FailureDeps, 'counters' | 'platform'>,
  job: DeliverJobHandle,
): boolean {
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  deps.counters.increment(deps.platform, lastAttempt ? 'failed' : 'retried');
  return lastAttempt;
}

/** Parks the job in delayed while the guard holds its platform (no attempt spent). */
export async function waitForGuard(
  job: DeliverJobHandle,
  token: string | undefined,
  ms = GUARD_HOLD_MS,
): Promise<Error> {
  await job.moveToDelayed(Date.now() + ms, token);
  return new DelayedError();
}
