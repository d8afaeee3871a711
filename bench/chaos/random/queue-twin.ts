import { DelayedError, RateLimitError, UnrecoverableError } from 'bullmq';
import type { RedisTwin } from './redis-twin.js';

// A twin of a BullMQ queue and its workers, on the virtual clock: job ids that deduplicate, attempts and
// exponential back-off with jitter, `moveToDelayed` + `DelayedError`, `Worker.RateLimitError` and
// `Queue#rateLimit`, a queue-wide limiter, pause and resume, locks renewed while their worker lives, and the
// stalled-job check that hands a dead worker's job to another (failing it after `maxStalledCount` stalls).

export type TwinState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

export interface TwinJobOptions {
  jobId?: string;
  attempts?: number;
  backoff?: { type: 'exponential' | 'fixed'; delay: number; jitter?: number };
  /** Waits this long in delayed before its first run (BullMQ's `delay`). */
  delay?: number;
}

export interface TwinJob {
  id: string;
  name: string;
  data: unknown;
  opts: TwinJobOptions;
  state: TwinState;
  attemptsMade: number;
  attemptsStarted: number;
  stalledCounter: number;
  delayUntil: number;
  /** When it last entered waiting (FIFO order). */
  order: number;
  lock: { token: string; expiresAt: number } | null;
  failedReason?: string;
  returnvalue?: unknown;
  /** When it last changed state. */
  changedAt: number;
}

/** What a processor gets: the job surface the deliver and fan-out processors use. */
export interface TwinJobHandle {
  id: string;
  name: string;
  data: unknown;
  attemptsMade: number;
  attemptsStarted: number;
  opts: TwinJobOptions;
  moveToDelayed(timestamp: number, token?: string): Promise<void>;
}

export type TwinProcessor = (job: TwinJobHandle, token?: string) => Promise<unknown>;

export interface TwinTuning {
  lockDuration: number;
  stalledInterval: number;
  maxStalledCount: number;
}

export const BULLMQ_DEFAULTS: TwinTuning = {
  lockDuration: 30_000,
  stalledInterval: 30_000,
  maxStalledCount: 1,
};

export class QueueTwin {
  readonly jobs = new Map<string, TwinJob>();
  private paused = false;
  private limitedUntil = 0;
  private window = { start: 0, count: 0 };
  private sequence = 0;
  private listeners: (() => void)[] = [];
  private wake: ReturnType<typeof setTimeout> | null = null;
  private wakeAt = Infinity;
  readonly workers: TwinWorker[] = [];
  /** Times the queue was paused and resumed, for "no platform paused for more than a minute". */
  readonly pauses: { from: number; to: number | null }[] = [];
  /** Jobs the stalled check found with an expired lock (a killed worker's). */
  stalls = 0;

  constructor(
    readonly name: string,
    readonly redis: RedisTwin,
    readonly limiter: { max: number; duration: number } | null = null,
    readonly tuning: TwinTuning = BULLMQ_DEFAULTS,
  ) {
    const check = setInterval(() => this.checkStalled(), tuning.stalledInterval);
    check.unref?.();
  }

  /** Resolves at the next change that may let a worker take a job. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.listeners.push(resolve));
  }

  notify(): void {
    const listeners = this.listeners;
    this.listeners = [];
    listeners.forEach((resolve) => resolve());
  }

  private wakeBy(at: number): void {
    if (at >= this.wakeAt && this.wake) return;
    if (this.wake) clearTimeout(this.wake);
    this.wakeAt = at;
    this.wake = setTimeout(
      () => {
        this.wake = null;
        this.wakeAt = Infinity;
        this.notify();
      },
      Math.max(0, at - Date.now()),
    );
  }

  private enter(job: TwinJob, state: TwinState): void {
    job.state = state;
    job.changedAt = Date.now();
    if (state === 'waiting') job.order = ++this.sequence;
    if (state !== 'active') job.lock = null;
  }

  async add(name: string, data: unknown, opts: TwinJobOptions = {}): Promise<void> {
    await this.redis.ready();
    const id = opts.jobId ?? `auto-${++this.sequence}`;
    if (this.jobs.has(id)) return;
    const job: TwinJob = {
      id,
      name,
      data,
      opts,
      state: 'waiting',
      attemptsMade: 0,
      attemptsStarted: 0,
      stalledCounter: 0,
      delayUntil: 0,
      order: 0,
      lock: null,
      changedAt: Date.now(),
    };
    this.jobs.set(id, job);
    if (opts.delay && opts.delay > 0) {
      job.delayUntil = Date.now() + opts.delay;
      this.enter(job, 'delayed');
    } else this.enter(job, 'waiting');
    this.notify();
  }

  /** BullMQ's `Queue#getJobState`: the job's state, or `unknown` when there is no such job. */
  async getJobState(id: string): Promise<TwinState | 'unknown'> {
    await this.redis.ready();
    return this.jobs.get(id)?.state ?? 'unknown';
  }

  async addBulk(jobs: { name: string; data: unknown; opts: TwinJobOptions }[]): Promise<void> {
    for (const job of jobs) await this.add(job.name, job.data, job.opts);
  }

  async pause(): Promise<void> {
    await this.redis.ready();
    if (!this.paused) this.pauses.push({ from: Date.now(), to: null });
    this.paused = true;
  }

  async resume(): Promise<void> {
    await this.redis.ready();
    if (this.paused) this.pauses[this.pauses.length - 1]!.to = Date.now();
    this.paused = false;
    this.notify();
  }

  async isPaused(): Promise<boolean> {
    await this.redis.ready();
    return this.paused;
  }

  async rateLimit(ms: number): Promise<void> {
    await this.redis.ready();
    this.limitedUntil = Math.max(this.limitedUntil, Date.now() + ms);
  }

  async promoteJobs(): Promise<void> {
    await this.redis.ready();
    for (const job of this.jobs.values()) if (job.state === 'delayed') this.enter(job, 'waiting');
    this.notify();
  }

  async getJob(id: string) {
    await this.redis.ready();
    const job = this.jobs.get(id);
    if (!job) return undefined;
    return {
      id,
      getState: async () => job.state,
      retry: async () => {
        await this.redis.ready();
        if (job.state !== 'failed') return;
        job.attemptsMade = 0;
        job.stalledCounter = 0;
        this.enter(job, 'waiting');
        this.notify();
      },
    };
  }

  /** The next job for `worker`, locked to it, or null (paused, rate limited, limiter full, nothing due). */
  take(lockDuration: number, owner: string): TwinJob | null {
    const now = Date.now();
    for (const job of this.jobs.values()) {
      if (job.state === 'delayed' && job.delayUntil <= now) this.enter(job, 'waiting');
    }
    const nextDelayed = Math.min(
      ...[...this.jobs.values()].filter((job) => job.state === 'delayed').map((job) => job.delayUntil),
    );
    if (Number.isFinite(nextDelayed)) this.wakeBy(nextDelayed);
    if (this.paused) return null;
    if (now < this.limitedUntil) {
      this.wakeBy(this.limitedUntil);
      return null;
    }
    if (this.limiter) {
      if (now >= this.window.start + this.limiter.duration) this.window = { start: now, count: 0 };
      if (this.window.count >= this.limiter.max) {
        this.wakeBy(this.window.start + this.limiter.duration);
        return null;
      }
    }
    let next: TwinJob | null = null;
    for (const job of this.jobs.values()) {
      if (job.state === 'waiting' && (!next || job.order < next.order)) next = job;
    }
    if (!next) return null;
    if (this.limiter) this.window.count += 1;
    this.enter(next, 'active');
    next.attemptsStarted += 1;
    next.lock = { token: `${owner}:${++this.sequence}`, expiresAt: now + lockDuration };
    return next;
  }

  /** Ends one processing of `job` as BullMQ would; an outcome whose lock was lost meanwhile is dropped. */
  finish(job: TwinJob, token: string, outcome: { value: unknown } | { error: unknown }): void {
    if (job.state !== 'active' || job.lock?.token !== token) return this.notify();
    if ('value' in outcome) {
      job.returnvalue = outcome.value;
      this.enter(job, 'completed');
    } else if (outcome.error instanceof DelayedError) {
      // moveToDelayed already moved it.
    } else if (outcome.error instanceof RateLimitError) {
      job.attemptsStarted = Math.max(0, job.attemptsStarted - 1);
      this.enter(job, 'waiting');
    } else {
      job.attemptsMade += 1;
      job.failedReason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
      const attempts = job.opts.attempts ?? 1;
      if (outcome.error instanceof UnrecoverableError || job.attemptsMade >= attempts)
        this.enter(job, 'failed');
      else {
        job.delayUntil = Date.now() + backoffMs(job);
        this.enter(job, 'delayed');
      }
    }
    this.notify();
  }

  async moveToDelayed(job: TwinJob, timestamp: number, token: string | undefined): Promise<void> {
    await this.redis.ready();
    if (job.state !== 'active' || job.lock?.token !== token)
      throw new Error(`Missing lock for job ${job.id}`);
    job.delayUntil = Math.max(timestamp, Date.now());
    this.enter(job, 'delayed');
    this.notify();
  }

  /** BullMQ's stalled check: an active job whose lock expired goes back to waiting, or fails. */
  private checkStalled(): void {
    if (!this.redis.up || !this.workers.some((worker) => worker.alive)) return;
    const now = Date.now();
    for (const job of this.jobs.values()) {
      if (job.state !== 'active' || !job.lock || job.lock.expiresAt > now) continue;
      job.stalledCounter += 1;
      this.stalls += 1;
      if (job.stalledCounter > this.tuning.maxStalledCount) {
        job.failedReason = 'job stalled more than allowable limit';
        this.enter(job, 'failed');
      } else this.enter(job, 'waiting');
    }
    this.notify();
  }

  /** True when no job waits, runs or is delayed. */
  idle(): boolean {
    return [...this.jobs.values()].every((job) => job.state === 'completed' || job.state === 'failed');
  }
}

/** BullMQ's back-off: exponential `delay × 2^(attempt-1)`, less up to `jitter` of it at random. */
function backoffMs(job: TwinJob): number {
  const backoff = job.opts.backoff;
  if (!backoff) return 0;
  const raw = backoff.type === 'fixed' ? backoff.delay : backoff.delay * 2 ** (job.attemptsMade - 1);
  const jitter = backoff.jitter ?? 0;
  return Math.floor(Math.random() * raw * jitter + raw * (1 - jitter));
}

/** A worker of one process: takes jobs up to its concurrency while the process lives. */
export class TwinWorker {
  alive = true;
  private readonly running = new Set<string>();

  constructor(
    readonly id: string,
    private readonly queue: QueueTwin,
    private readonly processor: TwinProcessor,
    private readonly concurrency: number,
  ) {
    queue.workers.push(this);
    void this.loop();
  }

  /** The process dies: no more takes, renewals or outcomes. */
  kill(): void {
    this.alive = false;
    this.queue.notify();
  }

  private async loop(): Promise<void> {
    while (this.alive) {
      await this.queue.redis.ready();
      if (!this.alive) return;
      const job =
        this.running.size < this.concurrency
          ? this.queue.take(this.queue.tuning.lockDuration, this.id)
          : null;
      if (!job) {
        await this.queue.changed();
        continue;
      }
      void this.process(job);
    }
  }

  private async process(job: TwinJob): Promise<void> {
    const token = job.lock!.token;
    const { lockDuration } = this.queue.tuning;
    this.running.add(token);
    const renew = setInterval(() => {
      if (!this.alive) return clearInterval(renew);
      if (this.queue.redis.up && job.lock?.token === token) job.lock.expiresAt = Date.now() + lockDuration;
    }, lockDuration / 2);
    const handle: TwinJobHandle = {
      id: job.id,
      name: job.name,
      data: job.data,
      attemptsMade: job.attemptsMade,
      attemptsStarted: job.attemptsStarted,
      opts: job.opts,
      moveToDelayed: (timestamp, lockToken) => this.queue.moveToDelayed(job, timestamp, lockToken),
    };
    let outcome: { value: unknown } | { error: unknown };
    try {
      outcome = { value: await this.processor(handle, token) };
    } catch (error) {
      outcome = { error };
    }
    clearInterval(renew);
    if (!this.alive) return;
    await this.queue.redis.ready();
    if (!this.alive) return;
    this.running.delete(token);
    this.queue.finish(job, token, outcome);
  }
}
