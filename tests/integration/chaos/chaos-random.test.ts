import { describe, expect, it } from 'vitest';
import { formatCounts, runRandom, runSchedule } from '../../../bench/chaos/random/random.js';
import { generateSchedule } from '../../../bench/chaos/random/schedule.js';

// The short form of `npm run chaos -- --random`: seeded fault schedules on the virtual clock, through the real
// fan-out, digest planner, deliver processor, guard probe, discord.js REST client and Slack WebClient over
// simulated platforms. Seeds found before digests, edits, forums, crossposts, threads and Slack's send limits
// were in the schedules replay as they were then with `generateSchedule(seed, { plain: true })` (`--plain`).

/**
 * Seeds that fail on today's pipeline, kept out of the short form until their fix lands (each replays with
 * `npm run chaos -- --random --seed N --schedules 1`). None in 1–40 since the lost-access confirmation
 * (issue 18, item 2) landed; seed 9 failed before it (a server removing the bot looped the guard).
 */
export const KNOWN_FAILING = new Set<number>();
const SCHEDULES = 40;

describe('random fault schedules, short form', () => {
  it('holds every invariant in each schedule', async () => {
    const summary = await runRandom(1, SCHEDULES, () => undefined, KNOWN_FAILING);
    console.log(
      `[chaos --random] ${summary.schedules} schedules in ${(summary.realMs / 1000).toFixed(1)} s: ` +
        formatCounts(summary.totals),
    );
    expect(summary.schedules).toBe(SCHEDULES - KNOWN_FAILING.size);
    expect(summary.failing.map(({ seed, violated }) => ({ seed, violated }))).toEqual([]);
    // Each feature of delivery was in the schedules, not only plain per-post sends.
    const seen = summary.exercised!;
    for (const feature of [
      'digests',
      'digest_switches',
      'post_edits',
      'message_edits',
      'forum_posts',
      'forum_looks',
      'archived_threads',
      'crossposts',
      'threads_opened',
      'budget_waits',
    ] as const)
      expect({ feature, count: seen[feature] > 0 }).toEqual({ feature, count: true });
  }, 120_000);

  it('does not list a post in a digest as well when its per-post send, answer lost, was held for the digest (seed 189)', async () => {
    // A Slack channel's send lost its answer, the channel switched to a weekly digest, and the retry skipped as
    // "held for the digest": the digest listed the post a second time. The retry now finishes the delivery.
    const result = await runSchedule(189);
    expect(result.counts.duplicates).toBe(0);
    expect(result.exercised.digests).toBeGreaterThan(0);
    expect(result.exercised.digest_switches).toBeGreaterThan(0);
  });

  it('edits a message an earlier attempt posted before the post changed (seeds 112, 796)', async () => {
    // The retry got the first attempt's message back (Discord's nonce, Slack's look) and recorded the post's new
    // version for it; the change's fan-out had found no ledger entry there, so the message stayed old.
    for (const seed of [112, 796]) {
      const result = await runSchedule(seed);
      expect({ seed, stale: result.counts.stale_after_edit }).toEqual({ seed, stale: 0 });
      expect(result.exercised.post_edits).toBeGreaterThan(0);
    }
  });

  it('finds a message a later attempt sent before re-sending (plain seed 132: a stray 401, then a lost answer)', async () => {
    // The Slack look's window once ended at the first attempt plus its timeout; the second attempt's message,
    // sent later with its answer lost, fell outside it and the third attempt posted a second copy.
    const result = await runSchedule(132, generateSchedule(132, { plain: true }));
    expect(result.counts.duplicates).toBe(0);
    expect(result.counts.lost).toBe(0);
  });

  it('probes again soon after a rate-limited probe (plain seeds 351, 524: a server removed the bot, then 429s)', async () => {
    // The guard tripped over the kicked server's 50001s while Discord answered some requests with global 429s
    // (retry after 1 s) for about a minute. Each rate-limited probe round doubled the probe's back-off (5, 10,
    // 20, 40 s), so the next try came 40 s after the third: Discord stayed paused 70 s (351, 451.3–521.3 s) and
    // 71 s (524, 299.3–370.4 s). A 429 now waits 5 s or what it asks; both clear within 25 s.
    for (const seed of [351, 524]) {
      const result = await runSchedule(seed, generateSchedule(seed, { plain: true }));
      expect({ seed, paused: result.counts.paused_over_minute }).toEqual({ seed, paused: 0 });
      expect(result.exercised.guard_trips).toBeGreaterThan(0);
    }
  });

  it('resumes Discord once its token works, holding only the kicked server (seeds 404, 453: 401s, 429s, HTML 404s)', async () => {
    // A server removed the bot and tripped the guard; the probe succeeded, but for the next minute Discord
    // answered stray 401s (47 %) and shared 429s (55 %) (404), or HTML 404s (53 %) (453), so the server list
    // could not be read. The guard kept all of Discord paused until it could: over a minute in both. Now the
    // pause lifts when the probe succeeds and only the kicked server's channels wait for the confirmation.
    // Plain: the schedules as they were found; 453 with the features fails the same way without the fix.
    for (const [seed, plain] of [
      [404, true],
      [453, true],
      [453, false],
    ] as const) {
      const result = await runSchedule(seed, generateSchedule(seed, { plain }));
      expect({ seed, paused: result.counts.paused_over_minute }).toEqual({ seed, paused: 0 });
      expect(result.exercised.guard_trips).toBeGreaterThan(0);
      expect(result.counts.wrongly_disabled + result.counts.unreachable_not_disabled).toBe(0);
      expect(result.counts.lost + result.counts.unended_jobs + result.counts.duplicates).toBe(0);
    }
  });

  it('tries the probe again within its round after a stray 401 or a 5xx (seed 3553)', async () => {
    // After the trip Discord answered stray 401s to 55 % and 5xx to 35 % of requests for a minute. Each failed
    // probe doubled the back-off (5, 10, 20, 40 s) though the token worked: paused 77 s (311.0–388.3 s). A
    // round now tries up to three times, a second apart, before it counts as failed.
    const result = await runSchedule(3553, generateSchedule(3553, { plain: true }));
    expect(result.counts.paused_over_minute).toBe(0);
    expect(result.exercised.guard_trips).toBeGreaterThan(0);
    expect(result.exercised.stray_401).toBeGreaterThan(0);
  });

  it('replays a seed exactly', async () => {
    const seed = 3;
    const [first, second] = [await runSchedule(seed), await runSchedule(seed)];
    expect(second).toEqual(first);
    expect(generateSchedule(seed)).toEqual(generateSchedule(seed));
  });

  it('sees a server that removed the bot as the platform reports it', async () => {
    const seed = [...Array(SCHEDULES).keys()]
      .map((i) => i + 1)
      .find((s) => !KNOWN_FAILING.has(s) && generateSchedule(s).guilds.some((g) => g.removedAtMs !== null));
    expect(seed).toBeDefined();
    const result = await runSchedule(seed!);
    // A kicked server's channels are unreachable: no post is expected there, and none is lost elsewhere.
    expect(result.counts.lost).toBe(0);
    expect(result.counts.invalid_10min_max).toBeGreaterThan(0);
  });
});
