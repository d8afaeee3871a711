// The Redis of a random chaos schedule: the stores keep their data across a restart (AOF, as the chaos world's
// redis-server), and while it is down every command waits for it (ioredis's offline queue), from every process.

/** Whether Redis answers, and a way to wait until it does. */
export class RedisTwin {
  private down = false;
  private waiting: (() => void)[] = [];
  /** Restarts so far. */
  restarts = 0;

  get up(): boolean {
    return !this.down;
  }

  /** Resolves once Redis answers. */
  ready(): Promise<void> {
    if (!this.down) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Goes down now and comes back after `ms` (virtual). */
  restart(ms: number): void {
    this.down = true;
    this.restarts += 1;
    setTimeout(() => {
      this.down = false;
      const waiting = this.waiting;
      this.waiting = [];
      waiting.forEach((resolve) => resolve());
    }, ms);
  }
}

/** One worker process: alive until killed; a killed process's calls never settle. */
export interface ProcessLife {
  alive(): boolean;
}

const never = new Promise<never>(() => undefined);

/**
 * A store as one process sees it: every method waits for Redis, and never settles once the process is dead.
 * The store itself (in memory, shared by every process) is the Redis data.
 */
export function throughRedis<T extends object>(store: T, redis: RedisTwin, life: ProcessLife): T {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (!life.alive()) return never;
        await redis.ready();
        if (!life.alive()) return never;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
