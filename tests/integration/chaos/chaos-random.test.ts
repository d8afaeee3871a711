import { describe, expect, it } from 'vitest';
import { formatCounts, runRandom, runSchedule } from '../../../bench/chaos/random/random.js';
import { generateSchedule } from '../../../bench/chaos/random/schedule.js';

// The short form of `npm run chaos -- --random`: seeded fault schedules on the virtual clock, through the real
// fan-out, deliver processor, guard probe, discord.js REST client and Slack WebClient over simulated platforms.

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
  }, 120_000);

  it('finds a message a later attempt sent before re-sending (seed 132: a stray 401, then a lost answer)', async () => {
    // The Slack look's window once ended at the first attempt plus its timeout; the second attempt's message,
    // sent later with its answer lost, fell outside it and the third attempt posted a second copy.
    const result = await runSchedule(132);
    expect(result.counts.duplicates).toBe(0);
    expect(result.counts.lost).toBe(0);
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
