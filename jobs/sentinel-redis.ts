import { Redis, type RedisOptions } from 'ioredis';

type Callback = Parameters<Redis['connect']>[0];

/**
 * An ioredis connection to a Sentinel-guarded primary that ends only when closed on purpose.
 *
 * ioredis's failover detector (`failoverDetector: true`) answers a sentinel's `+switch-master` by cutting
 * the connection, so that it reconnects to the new primary. If the announcement arrives while the
 * connection is already reconnecting (the old primary is gone and it is still asking a sentinel where the
 * primary is, which a loaded machine makes likely), the cut aborts that reconnect instead:
 * `SentinelConnector.connect` rejects with "Connection is closed." and `Redis.connect` sets the status to
 * `end` without asking `retryStrategy`, so the connection never comes back and every later command fails
 * with "Connection is closed." (ioredis 5.9.2: `built/Redis.js` connect, `built/connectors/
 * SentinelConnector/index.js` connect, `FailoverDetector.js` disconnect). This class connects again after
 * `retryStrategy`'s delay whenever a connect fails that way; `disconnect()` and `quit()` still close it
 * for good. Its duplicates (what BullMQ workers open) are of the same kind.
 */
export class SentinelRedis extends Redis {
  #closedOnPurpose = false;
  #restart: NodeJS.Timeout | undefined;
  #restarts = 0;

  constructor(options: RedisOptions) {
    // Always lazy: an eager connect would run `connect()` below before this class's fields exist.
    super({ ...options, lazyConnect: true });
    if (!options.lazyConnect) this.connect().catch(() => undefined);
  }

  override connect(callback?: Callback): Promise<void> {
    this.#closedOnPurpose = false;
    const connecting = super.connect(callback);
    connecting.then(
      () => (this.#restarts = 0),
      () => this.#restartIfAborted(),
    );
    return connecting;
  }

  override disconnect(reconnect = false): void {
    if (!reconnect) this.#closeOnPurpose();
    super.disconnect(reconnect);
  }

  // A quit while the connection is ended (between an aborted connect and the next) fails at once and would
  // otherwise leave the next connect scheduled.
  override quit(callback?: Parameters<Redis['quit']>[0]): Promise<'OK'> {
    this.#closeOnPurpose();
    return super.quit(callback);
  }

  override duplicate(override?: Partial<RedisOptions>): SentinelRedis {
    return new SentinelRedis({ ...this.options, ...override });
  }

  #closeOnPurpose(): void {
    this.#closedOnPurpose = true;
    clearTimeout(this.#restart);
    this.#restart = undefined;
  }

  /** After a failed connect that left the connection ended though nobody closed it: connect again. */
  #restartIfAborted(): void {
    if (this.#closedOnPurpose || this.status !== 'end' || this.#restart) return;
    // As ioredis does after a lost connection: no strategy, or no number from it, means stay closed.
    const delay = this.options.retryStrategy?.(++this.#restarts);
    if (typeof delay !== 'number') return;
    this.#restart = setTimeout(() => {
      this.#restart = undefined;
      if (!this.#closedOnPurpose && this.status === 'end') this.connect().catch(() => undefined);
    }, delay);
  }
}
