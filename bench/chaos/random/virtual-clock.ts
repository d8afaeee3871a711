import { install, type Clock } from '@sinonjs/fake-timers';
import type { Rng } from './rng.js';

// The virtual clock of a random chaos schedule: `Date`, `setTimeout` and `setInterval` are faked for the whole
// process (the pipeline, discord.js's REST queue and Slack's WebClient all read them), `Math.random` is the
// schedule's seeded source, and time jumps straight to the next timer once nothing else can run. Nothing does
// real I/O meanwhile (the platforms, the queues and the stores are in memory), so a seed replays exactly.

/** The real `setImmediate`, kept unfaked: it runs after every pending microtask and `nextTick`. */
const realImmediate = globalThis.setImmediate;
const idle = () => new Promise<void>((resolve) => realImmediate(resolve));

/** A virtual clock installed over the process's timers; `uninstall()` restores the real ones. */
export class VirtualClock {
  private readonly clock: Clock;
  private readonly realRandom = Math.random;

  constructor(startMs: number, rng: Rng) {
    this.clock = install({
      now: startMs,
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
      loopLimit: 10_000_000,
    });
    Math.random = () => rng.next();
  }

  now(): number {
    return this.clock.now;
  }

  /** Lets everything that can run without time passing run. */
  async settle(): Promise<void> {
    await idle();
    await idle();
  }

  /**
   * Runs timers in order, settling after each, until `done()` holds or virtual time passes `untilMs`.
   * Returns the steps taken (timers fired).
   */
  async run(done: () => boolean, untilMs: number): Promise<number> {
    let steps = 0;
    await this.settle();
    while (!done() && this.clock.now < untilMs && this.clock.countTimers() > 0) {
      this.clock.next();
      steps += 1;
      await this.settle();
    }
    return steps;
  }

  uninstall(): void {
    Math.random = this.realRandom;
    this.clock.uninstall();
  }
}
