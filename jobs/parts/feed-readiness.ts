import type { FeedStateStore } from '../../src/feeds/feed-state.js';
import type { ReadinessCheck } from '../web/readiness.js';

/** A feed is stale when its last successful poll is older than this many poll intervals. */
const STALE_INTERVALS = 3;
/**
 * ...and never younger than a minute: with the short intervals allowed for local feeds (1 s), three intervals
 * are scheduling jitter on a busy machine, not a stopped poller, and readiness must not flap on jitter.
 */
const MIN_STALE_MS = 60_000;

/**
 * `/readyz`'s `feeds` check (poller role): not ready, naming each feed whose last successful poll is older
 * than three intervals (at least a minute), or that has had none since this process started that long ago
 * (its state was lost with Redis's data, or polling never worked).
 */
export function feedReadiness(
  states: Pick<FeedStateStore, 'all'>,
  feeds: readonly string[],
  intervalMs: number,
  startedAt = Date.now(),
): ReadinessCheck {
  return async () => {
    const now = Date.now();
    const limit = Math.max(STALE_INTERVALS * intervalMs, MIN_STALE_MS);
    const all = await states.all([...feeds]);
    const stale = feeds.flatMap((feed) => {
      const success = all.find((state) => state.feed === feed)?.lastSuccessAt;
      const at = success ? Date.parse(success) : Number.NaN;
      if (Number.isFinite(at)) {
        return now - at > limit
          ? [`feed ${feed}: last successful poll ${Math.round((now - at) / 1000)} s ago`]
          : [];
      }
      return now - startedAt > limit ? [`feed ${feed}: no successful poll since start`] : [];
    });
    return stale.length === 0 || stale.join('; ');
  };
}
