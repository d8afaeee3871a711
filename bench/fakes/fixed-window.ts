/**
 * At most `limit` accepted events per window of `windowMs`; a window opens at the first event after the
 * previous one closed (how @discordjs/rest models Discord's global limit). Refused events use no slot.
 */
export class FixedWindow {
  private openedAt = Number.NEGATIVE_INFINITY;
  private used = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Takes a slot at `now` (ms): returns 0 when taken, else how many ms until the window closes. */
  take(now: number): number {
    if (now >= this.openedAt + this.windowMs) {
      this.openedAt = now;
      this.used = 0;
    }
    if (this.used < this.limit) {
      this.used += 1;
      return 0;
    }
    return this.openedAt + this.windowMs - now;
  }

  /** Slots left in the current window. */
  remaining(now: number): number {
    return now >= this.openedAt + this.windowMs ? this.limit : this.limit - this.used;
  }

  /** Ms until the current window closes (0 when none is open). */
  resetAfter(now: number): number {
    return Math.max(0, this.openedAt + this.windowMs - now);
  }
}

/** One FixedWindow per key, created on first use. */
export class KeyedWindows {
  private readonly windows = new Map<string, FixedWindow>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  get(key: string): FixedWindow {
    let window = this.windows.get(key);
    if (!window) {
      window = new FixedWindow(this.limit, this.windowMs);
      this.windows.set(key, window);
    }
    return window;
  }

  clear(): void {
    this.windows.clear();
  }
}

/** Wall-clock ms with sub-ms precision, comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
