import type { Queue } from 'bullmq';
import { DeliveryError, WRONG_BOT, type Announcer } from '../../src/delivery/announcer.js';
import type { RedisDisableGuard } from '../../src/delivery/disable-guard.js';
import type { Logger } from '../../src/logger.js';
import type { Platform } from '../../src/posts/post.js';
import type { SubscriptionStore } from '../../src/subscriptions/subscription-store.js';
import { confirmSuspects, reenable } from './confirm-access.js';

/** What the probe loop of one platform needs. */
export interface GuardProbeOptions {
  platform: Platform;
  guard: Pick<
    RedisDisableGuard,
    | 'tripped'
    | 'trips'
    | 'clear'
    | 'redrives'
    | 'redriven'
    | 'redrivable'
    | 'suspects'
    | 'settle'
    | 'heldScopes'
    | 'probeFailed'
    | 'trip'
  >;
  announcer: Announcer;
  queue: Pick<Queue, 'pause' | 'resume' | 'isPaused' | 'promoteJobs' | 'getJob'> &
    Partial<Pick<Queue, 'getDelayed'>>;
  subscriptions: Pick<SubscriptionStore, 'get' | 'put' | 'listWorkspace' | 'disable'>;
  logger: Logger;
  /**
   * First wait between probes; doubles after each failed probe up to `maxMs`. A probe the platform only
   * rate-limited is tried again after `baseMs` or the wait it asked for, whichever is longer, without doubling.
   * The confirmation of held channels backs off the same way, up to `confirmMaxMs`.
   */
  baseMs?: number;
  maxMs?: number;
  confirmMaxMs?: number;
  /** The wait between the tries of one probe round (`PROBE_TRIES`); at most `baseMs`. */
  probeRetryMs?: number;
  /** Rung when a job of this process trips the guard: the next round runs at once instead of on its timer. */
  wake?: GuardWake;
  /**
   * Checks once, as the loop starts, that the token is the bot's own (`Announcer.checkIdentity`): another
   * bot's token pauses the platform before any send, so no channel is disabled on its answers.
   */
  checkIdentity?: boolean;
}

/**
 * Wakes a platform's probe loop in this process when a job trips the guard, so the other servers wait one
 * probe, not the loop's timer (up to `baseMs`). Loops of other processes find the trip on their timer.
 */
export class GuardWake {
  private listener: (() => void) | null = null;
  listen(listener: () => void): void {
    this.listener = listener;
  }
  ring(): void {
    this.listener?.();
  }
}

/**
 * Tries per probe round. A stray 401 or a 5xx from a proxy says little about the token, and a lone failed
 * probe doubled the back-off: under a minute of such answers to half the requests, four failed rounds in a
 * row (5 + 10 + 20 + 40 s) kept a platform whose token worked paused for over a minute. A token that is
 * really wrong fails every try: three 401s a round, still backing off to `maxMs`.
 */
const PROBE_TRIES = 3;
const PROBE_RETRY_MS = 1_000;

/**
 * The probe, tried up to `PROBE_TRIES` times `retryMs` apart while it fails with what a stray answer could
 * explain (auth, transient); a rate limit or another bot's token ends the round at once.
 */
async function probeWithRetries(announcer: Announcer, workspaceId: string, retryMs: number): Promise<void> {
  for (let tries = 1; ; tries++) {
    try {
      await announcer.probe?.(workspaceId);
      return;
    } catch (error) {
      const again =
        error instanceof DeliveryError &&
        (error.kind === 'transient' || (error.kind === 'auth' && error.code !== WRONG_BOT));
      if (!again || tries >= PROBE_TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
}

/** The longest wait between two confirmation rounds of held channels. */
const CONFIRM_MAX_MS = 60_000;

/** A back-off: `base` after success, the platform's own wait after a rate limit, doubling otherwise. */
class Backoff {
  wait: number;
  constructor(
    private readonly base: number,
    private readonly max: number,
  ) {
    this.wait = base;
  }
  /** The wait after a round: `failures` says what went wrong, if anything. */
  after(failures: Failures): number {
    if (!failures.failed) return (this.wait = this.base);
    if (failures.onlyLimited) return Math.min(Math.max(this.base, failures.limitedMs), this.max);
    return (this.wait = Math.min(this.wait * 2, this.max));
  }
}

/** What failed in one round, and whether every failure was a rate limit (with the longest wait asked for). */
class Failures {
  failed = false;
  onlyLimited = true;
  limitedMs = 0;
  add = (error: unknown) => {
    this.failed = true;
    if (error instanceof DeliveryError && error.kind === 'rate_limited')
      this.limitedMs = Math.max(this.limitedMs, error.retryAfterMs ?? 0);
    else this.onlyLimited = false;
  };
}

/**
 * While the mass-disable guard holds a platform, keeps its queue paused and probes the platform with one
 * cheap authenticated call (`GET /users/@me`, `auth.test`) with back-off. Once it succeeds (the token works:
 * the operator fixed it, the URL or the proxy, or it was never wrong), the pause is lifted for everyone at
 * once. Only the channels the guard held stay held: each round asks the platform about them
 * (`confirm-access.ts`), disables the losses it confirms, and re-drives the jobs of the channels it clears.
 * A platform that cannot answer for a channel (5xx, 429, a stray 401) keeps that channel held, not the
 * platform. Returns a stop function.
 */
export function startGuardProbe(options: GuardProbeOptions): () => void {
  const base = options.baseMs ?? 5_000;
  const max = options.maxMs ?? 300_000;
  const log = options.logger.child({ platform: options.platform });
  const probing = new Backoff(base, max);
  const retryMs = Math.min(base, options.probeRetryMs ?? PROBE_RETRY_MS);
  const confirming = new Backoff(base, Math.min(max, options.confirmMaxMs ?? CONFIRM_MAX_MS));
  // The wait before the next round, and when held channels are next asked about.
  let next = base;
  let confirmAt = 0;
  let stopped = false;
  // A job can still be parking itself in delayed as the guard clears: promote once more on the next round.
  let promoteAgain = false;
  let timer: NodeJS.Timeout | undefined;

  /** Probes each paused scope; lifts the pause of those whose token works. Returns the wait before the next. */
  const probeTrips = async (): Promise<number> => {
    const trips = await options.guard.trips(options.platform);
    if (trips.length === 0) {
      if (promoteAgain) await promoteParked(options.queue);
      promoteAgain = false;
      return probing.after(new Failures());
    }
    const failures = new Failures();
    // A platform-wide trip pauses the queue; a Slack workspace's trip holds only its own jobs (in delayed).
    for (const { scope, trip } of trips) {
      const wide = scope === options.platform;
      if (wide && !(await options.queue.isPaused())) await options.queue.pause();
      try {
        await probeWithRetries(options.announcer, trip.workspaceId, retryMs);
      } catch (error) {
        failures.add(error);
        // The token of another bot, a reset token: what the operator must fix, for `status`.
        if (error instanceof DeliveryError && error.kind === 'auth')
          await options.guard.probeFailed(scope, error.message);
        log.error(
          { err: error, scope, nextProbeMs: Math.min(probing.wait * 2, max), reason: trip.reason },
          'deliveries still paused: probe failed',
        );
        continue;
      }
      await options.guard.clear(scope);
      if (wide) await options.queue.resume();
      // The jobs parked while the guard held them need not wait out their delay.
      await promoteParked(options.queue);
      promoteAgain = true;
      log.warn(
        { scope, reason: trip.reason },
        'probe succeeded: mass-disable guard cleared, deliveries resume; the channels it held stay held until the platform answers for them',
      );
    }
    // A 429 answers the token at the right URL and says when to come back: it shows nothing wrong with the
    // bot, so it does not grow the back-off (doubling on it kept all of Discord paused long after the limit).
    return probing.after(failures);
  };

  /** Asks the platform about the channels still held in scopes whose pause has lifted. */
  const confirmHeld = async (): Promise<void> => {
    if (Date.now() < confirmAt) return;
    const scopes = await options.guard.heldScopes(options.platform);
    if (scopes.length === 0) {
      confirming.after(new Failures());
      confirmAt = 0;
      return;
    }
    const failures = new Failures();
    let wrongBot: DeliveryError | null = null;
    const onError = (error: unknown) => {
      failures.add(error);
      if (error instanceof DeliveryError && error.code === WRONG_BOT) wrongBot = error;
    };
    for (const scope of scopes) {
      wrongBot = null;
      const outcome = await confirmSuspects({ ...options, logger: log, onError }, scope);
      // Another bot's token (the check at start could not tell): pause as that check would have.
      if (wrongBot) await pauseForWrongBot(options, log, scope, wrongBot);
      // Channels the platform could not answer for count as a failed round: asked again after a back-off.
      if (outcome.asked && outcome.held > 0) {
        failures.failed = true;
        failures.onlyLimited = false;
      }
    }
    confirmAt = Date.now() + confirming.after(failures);
  };

  const round = async () => {
    next = await probeTrips();
    await confirmHeld();
    await redrive(options);
  };
  // Whether a round runs now, and whether a trip rang meanwhile (then the next round follows soon).
  let running = false;
  let rang = false;
  // When the last round a trip woke started, whether the timer is for such a round, and when it fires: a
  // trip wakes the loop at once, but rounds woken by trips are at least `base` apart, so a storm of trips
  // (one a second) does not probe once per trip.
  let wokenAt = -Infinity;
  let waking = false;
  let dueAt = Infinity;
  const woken = () => Math.max(0, wokenAt + base - Date.now());
  const schedule = (byTrip = false) => {
    if (stopped) return;
    dueAt = Date.now() + next;
    waking = byTrip;
    timer = setTimeout(() => {
      running = true;
      if (waking) wokenAt = Date.now();
      round()
        .catch((error: unknown) => log.debug({ err: error }, 'guard probe round failed'))
        .finally(() => {
          running = false;
          const byTrip = rang && woken() < next;
          if (byTrip) next = woken();
          rang = false;
          schedule(byTrip);
        });
    }, next);
    timer.unref();
  };
  if (options.checkIdentity) void checkIdentity(options, log);
  options.wake?.listen(() => {
    if (stopped) return;
    if (running) {
      rang = true;
      return;
    }
    if (Date.now() + woken() >= dueAt) return;
    clearTimeout(timer);
    next = woken();
    schedule(true);
  });
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Delayed jobs read at once while promoting. */
const PROMOTE_PAGE = 500;

/**
 * Runs the delayed jobs now (those the guard parked need not wait out their delay), except a digest whose
 * period has not ended: it was planned to wait for that end, and built early it would miss the period's later
 * posts while its channel's mark moved past them, so they would reach no digest at all. A queue that cannot
 * list its delayed jobs promotes them all.
 */
async function promoteParked(queue: GuardProbeOptions['queue']): Promise<void> {
  if (!queue.getDelayed) {
    await queue.promoteJobs();
    return;
  }
  const now = Date.now();
  const due = [];
  for (let start = 0; ; start += PROMOTE_PAGE) {
    const page = await queue.getDelayed(start, start + PROMOTE_PAGE - 1);
    for (const job of page) if (!digestAwaitingItsEnd(job.data, now)) due.push(job);
    if (page.length < PROMOTE_PAGE) break;
  }
  for (const job of due) {
    // Gone from delayed meanwhile (run, removed): nothing to promote.
    await job.promote().catch(() => undefined);
  }
}

/** Whether a job is a digest whose period ends after `now`. */
function digestAwaitingItsEnd(data: unknown, now: number): boolean {
  if (typeof data !== 'object' || data === null) return false;
  const { action, periodEnd } = data as { action?: unknown; periodEnd?: unknown };
  return action === 'digest' && typeof periodEnd === 'string' && Date.parse(periodEnd) > now;
}

/**
 * Pauses the platform when its token is another bot's (`WRONG_BOT`); the probe rounds resume it once the
 * operator sets the right token. Any other failure proves nothing here: deliveries will show it.
 */
async function checkIdentity(options: GuardProbeOptions, log: Logger): Promise<void> {
  try {
    await options.announcer.checkIdentity?.();
  } catch (error) {
    if (!(error instanceof DeliveryError && error.code === WRONG_BOT)) {
      log.debug({ err: error }, 'could not check whose token this is; deliveries will tell');
      return;
    }
    await pauseForWrongBot(options, log, options.platform, error);
  }
}

/** Pauses a scope whose token is another bot's; the probe rounds resume it once the token is right. */
async function pauseForWrongBot(
  options: GuardProbeOptions,
  log: Logger,
  scope: string,
  error: DeliveryError,
): Promise<void> {
  await options.guard.trip(scope, error.message, scope.split(':')[1] ?? '');
  if (scope === options.platform) await options.queue.pause();
  log.error(
    { reason: error.message, scope },
    `${error.message}: ${scope} deliveries are paused and nothing is disabled until the token is the bot's own`,
  );
}

/**
 * Re-enables the channels disabled just before the guard tripped (those whose loss the platform did not
 * confirm) and runs their deliveries again: the failed ones and those skipped while the channel was disabled
 * or held. A re-drive waits while its scope is paused or its channel still held; a confirmed loss drops it. A
 * job still finishing (its disable may land after this re-enable) stays listed for the next round.
 */
async function redrive(options: GuardProbeOptions): Promise<void> {
  for (const { member, jobId, channel } of await options.guard.redrives(options.platform)) {
    if (!(await options.guard.redrivable(member, channel))) continue;
    const job = await options.queue.getJob(jobId);
    const state = job ? await job.getState() : 'unknown';
    if (state === 'active') continue;
    await reenable(options.subscriptions, channel);
    if (job && (state === 'failed' || state === 'completed')) await job.retry(state);
    // Held past the queue's retention (14 days completed, 30 failed): the delivery cannot run again. Said, not
    // silent, so an operator can re-announce.
    if (!job)
      options.logger.warn({ jobId, ...channel }, 're-drive found its job gone; that delivery is not re-run');
    await options.guard.redriven(options.platform, member);
  }
}
