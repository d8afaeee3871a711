import { DelayedError, UnrecoverableError } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueTwin, TwinWorker, type TwinJobHandle } from '../../../bench/chaos/random/queue-twin.js';
import { RedisTwin } from '../../../bench/chaos/random/redis-twin.js';
import { Rng } from '../../../bench/chaos/random/rng.js';
import { VirtualClock } from '../../../bench/chaos/random/virtual-clock.js';

// The random chaos suite's queue twin behaves as BullMQ does where the deliver pipeline depends on it.

let clock: VirtualClock | null = null;
afterEach(() => {
  clock?.uninstall();
  clock = null;
});

function start(): { clock: VirtualClock; queue: QueueTwin } {
  clock = new VirtualClock(1_000_000, new Rng(1));
  return { clock, queue: new QueueTwin('q', new RedisTwin()) };
}

const runFor = (c: VirtualClock, ms: number) => c.run(() => false, c.now() + ms);

describe('QueueTwin', () => {
  it('retries a failing job with exponential back-off and counts its attempts', async () => {
    const { clock, queue } = start();
    const seen: { at: number; attemptsMade: number }[] = [];
    new TwinWorker(
      'w',
      queue,
      async (job) => {
        seen.push({ at: clock.now(), attemptsMade: job.attemptsMade });
        if (seen.length < 3) throw new Error('transient');
        return 'done';
      },
      1,
    );
    await queue.add('x', {}, { jobId: 'a', attempts: 5, backoff: { type: 'exponential', delay: 1_000 } });
    await runFor(clock, 10_000);
    expect(seen.map((s) => s.attemptsMade)).toEqual([0, 1, 2]);
    expect(seen[1]!.at - seen[0]!.at).toBe(1_000);
    expect(seen[2]!.at - seen[1]!.at).toBe(2_000);
    expect(queue.jobs.get('a')).toMatchObject({ state: 'completed', returnvalue: 'done' });
  });

  it('ignores a second job with the same id, and fails at once on UnrecoverableError', async () => {
    const { clock, queue } = start();
    let runs = 0;
    new TwinWorker(
      'w',
      queue,
      async () => {
        runs += 1;
        throw new UnrecoverableError('no');
      },
      1,
    );
    await queue.add('x', {}, { jobId: 'a', attempts: 5 });
    await queue.add('x', {}, { jobId: 'a', attempts: 5 });
    await runFor(clock, 1_000);
    expect(runs).toBe(1);
    expect(queue.jobs.get('a')).toMatchObject({ state: 'failed', attemptsMade: 1 });
  });

  it('moves a job to delayed without spending an attempt, only with its own lock', async () => {
    const { clock, queue } = start();
    const attempts: number[] = [];
    new TwinWorker(
      'w',
      queue,
      async (job: TwinJobHandle, token?: string) => {
        attempts.push(job.attemptsMade);
        await expect(job.moveToDelayed(clock.now() + 5_000, 'not-mine')).rejects.toThrow(/Missing lock/);
        if (attempts.length === 1) {
          await job.moveToDelayed(clock.now() + 5_000, token);
          throw new DelayedError();
        }
        return 'ok';
      },
      1,
    );
    await queue.add('x', {}, { jobId: 'a', attempts: 1 });
    await runFor(clock, 10_000);
    expect(attempts).toEqual([0, 0]);
    expect(queue.jobs.get('a')!.state).toBe('completed');
  });

  it("hands a killed worker's job to another once its lock expires, and fails it after too many stalls", async () => {
    const { clock, queue } = start();
    const takers: string[] = [];
    const hang = (name: string) => async () => {
      takers.push(name);
      return new Promise(() => undefined);
    };
    const first = new TwinWorker('first', queue, hang('first'), 1);
    await queue.add('x', {}, { jobId: 'a', attempts: 3 });
    await runFor(clock, 1_000);
    first.kill();
    const second = new TwinWorker('second', queue, hang('second'), 1);
    await runFor(clock, 61_000);
    expect(takers).toEqual(['first', 'second']);
    expect(queue.stalls).toBe(1);
    second.kill();
    new TwinWorker('third', queue, hang('third'), 1);
    await runFor(clock, 61_000);
    expect(queue.jobs.get('a')).toMatchObject({
      state: 'failed',
      failedReason: 'job stalled more than allowable limit',
    });
  });
});
