import { PLATFORMS, type Platform } from '../posts/post.js';

/** What can happen to a delivery attempt, as counted for the metrics endpoint. */
export type DeliveryOutcome =
  'delivered' | 'retried' | 'rate_limited' | 'failed' | 'disabled' | 'held' | 'unverified';

export const DELIVERY_OUTCOMES: readonly DeliveryOutcome[] = [
  'delivered',
  'retried',
  'rate_limited',
  'failed',
  'disabled',
  /** A lost-access answer the mass-disable guard kept from disabling its subscription. */
  'held',
  /** A look before a re-send could not finish within its deadline: neither re-sent nor lost. */
  'unverified',
];

/** Counts delivery outcomes per platform; the ops layer exposes them through prom-client. */
export interface DeliveryCounters {
  increment(platform: Platform, outcome: DeliveryOutcome): void;
}

/** Counts kept in this process; `snapshot()` reads them. */
export class MemoryDeliveryCounters implements DeliveryCounters {
  private readonly counts = new Map<string, number>();

  increment(platform: Platform, outcome: DeliveryOutcome): void {
    const key = `${platform}/${outcome}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  get(platform: Platform, outcome: DeliveryOutcome): number {
    return this.counts.get(`${platform}/${outcome}`) ?? 0;
  }

  /** Every platform and outcome, zeros included. */
  snapshot(): Record<Platform, Record<DeliveryOutcome, number>> {
    const entries = PLATFORMS.map((platform) => [
      platform,
      Object.fromEntries(DELIVERY_OUTCOMES.map((outcome) => [outcome, this.get(platform, outcome)])),
    ]);
    return Object.fromEntries(entries) as Record<Platform, Record<DeliveryOutcome, number>>;
  }
}
