import { DelayedError } from 'bullmq';
import { DeliveryError, type Announcer } from '../../src/delivery/announcer.js';
import type { FollowUp, LedgerEntry } from '../../src/delivery/ledger.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import type { SubscriptionOptions } from '../../src/subscriptions/subscription.js';
import type { DeliverDeps, DeliverJobHandle, DeliverOutcome } from './deliver.js';
import { classifyFailure, countFailedAttempt, WRONG_CHANNEL_TYPE } from './failure.js';
import { MIN_RATE_LIMIT_MS, reactToRateLimit } from './rate-limited.js';

/**
 * Discord's lost-access answers (Missing Access, Unknown Channel, Unknown Guild): about the channel, not the step,
 * so they go where a send's go (the mass-disable guard, then disabling); the step stays due, and a channel the
 * platform then confirms reachable finishes it when its job is re-driven. Missing Permissions (50013) here is a
 * permission the step needs (Manage Messages, Create Public Threads): the step's refusal, the channel kept.
 */
const LOST_ACCESS = new Set(['50001', '10003', '10004']);

/** Spreads the wake-ups of follow-ups waiting out the same channel's 429. */
const WAKE_JITTER_MS = 1_000;

/**
 * The follow-ups a subscription asks of an announcement's send, recorded with it as due, where the platform has
 * them (Discord; a forum post is its own thread, and publishes nothing). A hub's publish is due by the hub itself (`crosspostedAt` absent, hub.ts).
 */
export function dueFollowUps(
  announcer: Pick<Announcer, 'crosspost' | 'openThread'>,
  options: SubscriptionOptions,
): { due?: FollowUp[] } {
  if (options.forum) return {};
  const due: FollowUp[] = [];
  if (options.crosspost && announcer.crosspost) due.push('crosspost');
  if (options.thread && announcer.openThread) due.push('thread');
  return due.length > 0 ? { due } : {};
}

/** Whether a step has ended: done (its mark) or refused for good. */
function ended(entry: LedgerEntry, step: FollowUp): boolean {
  if (entry.refused?.[step]) return true;
  return Boolean(step === 'crosspost' ? entry.crosspostedAt : entry.threadedAt);
}

/** Whether a recorded delivery still has follow-ups to do. */
export function followUpsDue(entry: LedgerEntry): boolean {
  return (entry.due ?? []).some((step) => !ended(entry, step));
}

/**
 * The steps after a recorded send, one after another, each recorded in the ledger once done (`crosspostedAt`,
 * `threadedAt`) or refused for good (`refused`), as a hub's publish is (`crosspostedAt`, hub-publish.ts). A
 * failure that may pass is thrown for the job to retry with its back-off (a 429 waits in delayed, no attempt
 * spent); the retry finds the message recorded and does only the steps not yet ended, never the send.
 */
export async function finishFollowUps(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  key: string,
  channel: ChannelRef,
  title: string,
  outcome: DeliverOutcome & { messageId: string },
): Promise<DeliverOutcome> {
  const entry = await deps.ledger.get(key, channel);
  if (!entry) return outcome;
  for (const step of entry.due ?? []) {
    if (ended(entry, step)) continue;
    let changes: Partial<LedgerEntry>;
    try {
      changes = await runStep(deps, step, channel, entry, title, new Date().toISOString());
    } catch (error) {
      if (error instanceof DeliveryError && LOST_ACCESS.has(error.code))
        throw await classifyFailure(deps, job, token, { key, channel, refusedSend: false }, error);
      if (!isRefusal(error)) throw await stepFailure(deps, job, token, channel, step, title, error);
      const reason = `${error.code}: ${error.message}`;
      changes = { refused: { ...entry.refused, [step]: reason } };
      deps.logger.warn(
        { jobId: job.id, ...channel, messageId: entry.messageId, step, code: error.code, reason },
        `${step} refused: the announcement stays, without it`,
      );
      await deps.notes?.set(
        channel,
        `“${title.slice(0, 100)}” was posted without its ${step}: Discord refused it (${reason})`.slice(
          0,
          500,
        ),
      );
      deps.counters.increment(deps.platform, 'failed');
    }
    Object.assign(entry, changes);
    await deps.ledger.update(key, channel, changes);
  }
  return outcome;
}

/** One step through the announcer; what it adds to the ledger entry. */
async function runStep(
  deps: DeliverDeps,
  step: FollowUp,
  channel: ChannelRef,
  entry: LedgerEntry,
  title: string,
  at: string,
): Promise<Partial<LedgerEntry>> {
  const cannot = (why: string) => ({ refused: { ...entry.refused, [step]: why } });
  if (step === 'crosspost') {
    if (!deps.announcer.crosspost) return cannot(`${deps.platform} has no crossposts`);
    // Not an announcement channel: the option asks for nothing there (no note: the option says so).
    return (await deps.announcer.crosspost(channel.channelId, entry.messageId))
      ? { crosspostedAt: at }
      : cannot('not an announcement channel: only those publish to followers');
  }
  if (!deps.announcer.openThread) return cannot(`${deps.platform} opens no threads on announcements`);
  await deps.announcer.openThread(channel.channelId, entry.messageId, title);
  return { threadedAt: at };
}

/**
 * A final answer for this step: the platform refused it (missing permission 50013, lost access, wrong channel
 * type 50024, a request it rejects). Asking again would be refused the same way.
 */
function isRefusal(error: unknown): error is DeliveryError {
  return (
    error instanceof DeliveryError &&
    (error.kind === 'permanent' ||
      error.kind === 'rejected' ||
      error.kind === 'unsendable' ||
      error.code === WRONG_CHANNEL_TYPE)
  );
}

/** A failed step that may pass: waits out a 429 (this job only), else retried with the job's back-off. */
async function stepFailure(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
  step: FollowUp,
  title: string,
  error: unknown,
): Promise<Error> {
  const log = { jobId: job.id, ...channel, step };
  if (error instanceof DeliveryError && error.kind === 'rate_limited') {
    deps.counters.increment(deps.platform, 'rate_limited');
    deps.logger.warn(
      { ...log, waitMs: error.retryAfterMs, scope: error.scope },
      `${step} rate limited: waiting`,
    );
    if (error.scope === 'global') return reactToRateLimit(deps, job, token, channel, error);
    // Discord's ~10 crossposts an hour per channel: this step waits as asked; the channel's sends go on.
    const waitMs = Math.max(error.retryAfterMs ?? 0, MIN_RATE_LIMIT_MS);
    await job.moveToDelayed(Date.now() + waitMs + Math.floor(Math.random() * WAKE_JITTER_MS), token);
    return new DelayedError();
  }
  const lastAttempt = countFailedAttempt(deps, job);
  deps.logger.warn({ ...log, err: error, attempt: job.attemptsMade + 1, lastAttempt }, `${step} failed`);
  if (lastAttempt)
    await deps.notes?.set(
      channel,
      `“${title.slice(0, 100)}” was posted, but its ${step} failed every attempt; \`psf-bot deliveries retry\` finishes it without posting again`.slice(
        0,
        500,
      ),
    );
  return error instanceof Error ? error : new Error(String(error));
}
