import type { Queue } from 'bullmq';
import { DeliveryError, type Announcer } from '../../src/delivery/announcer.js';
import { guardScope, type RedisDisableGuard } from '../../src/delivery/disable-guard.js';
import type { Logger } from '../../src/logger.js';
import type { Platform } from '../../src/posts/post.js';
import type { SubscriptionStore } from '../../src/subscriptions/subscription-store.js';
import { confirmSuspects, reenable } from './confirm-access.js';

/** What the probe loop of one platform needs. */
export interface GuardProbeOptions {
  platform: Platform;
  guard: Pick<
    RedisDisableGuard,
    'tripped' | 'trips' | 'clear' | 'redrives' | 'redriven' | 'suspects' | 'settle'
  >;
  announcer: Announcer;
  queue: Pick<Queue, 'pause' | 'resume' | 'isPaused' | 'promoteJobs' | 'getJob'>;
  subscriptions: Pick<SubscriptionStore, 'get' | 'put' | 'listWorkspace' | 'disable'>;
  logger: Logger;
  /**
   * First wait between probes; doubles after each failed probe up to `maxMs`. A probe the platform only
   * rate-limited is tried again after `baseMs` or the wait it asked for, whichever is longer, without doubling.
   */
  baseMs?: number;
  maxMs?: number;
}

/**
 * While the mass-disable guard holds a platform, keeps its queue paused and probes the platform with one
 * cheap authenticated call (`GET /users/@me`, `auth.test`) with back-off. Once it succeeds (the token works:
 * the operator fixed it, the URL or the proxy, or it was never wrong), the platform is asked about each
 * channel the guard held (`confirm-access.ts`): the losses it confirms are disabled, then the guard is cleared,
 * deliveries resume and the other channels' jobs are re-driven. Returns a stop function.
 */
export function startGuardProbe(options: GuardProbeOptions): () => void {
  const base = options.baseMs ?? 5_000;
  const max = options.maxMs ?? 300_000;
  const log = options.logger.child({ platform: options.platform });
  let wait = base;
  // The wait before the next round: `wait`, or a rate limit's own wait.
  let next = base;
  let stopped = false;
  // A job can still be parking itself in delayed as the guard clears: promote once more on the next round.
  let promoteAgain = false;
  let timer: NodeJS.Timeout | undefined;

  const round = async () => {
    const trips = await options.guard.trips(options.platform);
    if (trips.length === 0) {
      if (promoteAgain) await options.queue.promoteJobs();
      promoteAgain = false;
      await redrive(options);
      wait = next = base;
      return;
    }
    let failed = false;
    // Whether every failure this round was a rate limit, and the longest wait asked for.
    let onlyLimited = true;
    let limitedMs = 0;
    const failure = (error: unknown) => {
      failed = true;
      if (error instanceof DeliveryError && error.kind === 'rate_limited')
        limitedMs = Math.max(limitedMs, error.retryAfterMs ?? 0);
      else onlyLimited = false;
    };
    // A platform-wide trip pauses the queue; a Slack workspace's trip holds only its own jobs (in delayed).
    for (const { scope, trip } of trips) {
      const wide = scope === options.platform;
      if (wide && !(await options.queue.isPaused())) await options.queue.pause();
      try {
        await options.announcer.probe?.(trip.workspaceId);
      } catch (error) {
        failure(error);
        log.error(
          { err: error, scope, nextProbeMs: Math.min(wait * 2, max), reason: trip.reason },
          'deliveries still paused: probe failed',
        );
        continue;
      }
      if (!(await confirmSuspects({ ...options, logger: log, onError: failure }, scope))) {
        failed = true;
        continue;
      }
      await options.guard.clear(scope);
      if (wide) await options.queue.resume();
      // The jobs parked while the guard held them need not wait out their delay.
      await options.queue.promoteJobs();
      promoteAgain = true;
      log.warn(
        { scope, reason: trip.reason },
        'probe succeeded: mass-disable guard cleared, deliveries resume',
      );
    }
    await redrive(options);
    // A 429 answers the token at the right URL and says when to come back: it shows nothing wrong with the
    // bot, so it does not grow the back-off (doubling on it kept all of Discord paused long after the limit).
    if (!failed) wait = next = base;
    else if (onlyLimited) next = Math.min(Math.max(base, limitedMs), max);
    else next = wait = Math.min(wait * 2, max);
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      round()
        .catch((error: unknown) => log.debug({ err: error }, 'guard probe round failed'))
        .finally(schedule);
    }, next);
    timer.unref();
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/**
 * Re-enables the channels disabled just before the guard tripped (those whose loss the platform did not
 * confirm) and runs their deliveries again: the failed ones and those skipped while the channel was disabled.
 * A job still finishing (its disable may land after this re-enable) stays listed for the next round.
 */
async function redrive(options: GuardProbeOptions): Promise<void> {
  for (const { member, jobId, channel } of await options.guard.redrives(options.platform)) {
    if (await options.guard.tripped(guardScope(channel))) continue;
    const job = await options.queue.getJob(jobId);
    const state = job ? await job.getState() : 'unknown';
    if (state === 'active') continue;
    await reenable(options.subscriptions, channel);
    if (job && (state === 'failed' || state === 'completed')) await job.retry(state);
    await options.guard.redriven(options.platform, member);
  }
}
