import { checkInvariants, explain, violations, type InvariantCounts } from './invariants.js';
import { addExercised, exercised, type Exercised } from './exercised.js';
import { CROSSPOSTED_EDIT_INTERVAL_MS } from '../../../jobs/delivery/pacers.js';
import { Rng } from './rng.js';
import { generateSchedule, lastEventMs, type Schedule } from './schedule.js';
import { VirtualClock } from './virtual-clock.js';
import { SimWorld } from './world.js';

// `npm run chaos -- --random [--seed N] [--schedules K]`: K seeded fault schedules (seeds N, N+1, …), each
// played on the virtual clock through the real pipeline, then checked against the invariants.

/** When every schedule starts (virtual): a Monday morning. */
const START_MS = Date.UTC(2026, 0, 5, 9, 0, 0);
/**
 * How long after its last scripted event a schedule may take to settle before unended jobs count: a look may
 * take 30 minutes, and a delivery's 8 attempts about 11 more.
 */
export const HORIZON_MS = 75 * 60_000;

/**
 * A schedule's horizon: `HORIZON_MS`, plus, where a post is edited in a channel that crossposts, one
 * `CROSSPOSTED_EDIT_INTERVAL_MS` (20 minutes) per edit: Discord allows about 3 edits of published messages an
 * hour per channel, so such edits are paced and the last one may come hours later, by design.
 */
export function horizonMs(schedule: Schedule): number {
  const crossposting = schedule.features.channels.some(
    (channel) => channel.crosspost && channel.kind === 'announcement',
  );
  const edits = crossposting ? schedule.features.edits.length : 0;
  return HORIZON_MS + edits * CROSSPOSTED_EDIT_INTERVAL_MS;
}
/**
 * Requests after which a schedule is stopped as runaway (a healthy one makes tens to hundreds): its jobs are
 * still going round, so it fails as unended; this only keeps a looping pipeline from taking minutes a seed.
 */
export const RUNAWAY_REQUESTS = 5_000;

/** What one schedule did. */
export interface ScheduleResult {
  seed: number;
  counts: InvariantCounts;
  violated: string[];
  /** Virtual time from start to settled (or the horizon). */
  virtualMs: number;
  steps: number;
  /** For a failing schedule: what happened to each delivery that is missing or never ended. */
  details: string[];
  exercised: Exercised;
}

/** Plays one schedule; the same seed always plays the same way. */
export async function runSchedule(
  seed: number,
  schedule: Schedule = generateSchedule(seed),
): Promise<ScheduleResult> {
  const rng = new Rng(seed ^ 0x5bd1e995);
  const clock = new VirtualClock(START_MS, rng);
  const world = new SimWorld(schedule, START_MS, rng);
  try {
    await world.begin();
    const last = START_MS + lastEventMs(schedule);
    const runaway = () => world.platforms.requests.length > RUNAWAY_REQUESTS;
    const steps = await clock.run(
      () => (clock.now() > last && world.settled()) || runaway(),
      last + horizonMs(schedule),
    );
    const end = clock.now();
    const counts = await checkInvariants(world, end);
    const violated = violations(counts);
    const details = violated.length > 0 ? explain(world) : [];
    if (runaway()) details.unshift(`stopped as runaway after ${RUNAWAY_REQUESTS} requests`);
    return { seed, counts, violated, virtualMs: end - START_MS, steps, details, exercised: exercised(world) };
  } finally {
    world.stop();
    clock.uninstall();
  }
}

/** Totals over many schedules. */
export interface RandomSummary {
  schedules: number;
  failing: ScheduleResult[];
  totals: InvariantCounts;
  exercised: Exercised | null;
  /** The longest a schedule took to settle, in virtual time. */
  maxVirtualMs: number;
  realMs: number;
}

/** Runs schedules `seed`, `seed + 1`, … and sums what each invariant counted. */
export async function runRandom(
  seed: number,
  count: number,
  report: (result: ScheduleResult) => void = () => undefined,
  skip: ReadonlySet<number> = new Set(),
  options: { plain?: boolean } = {},
): Promise<RandomSummary> {
  const started = performance.now();
  const failing: ScheduleResult[] = [];
  let totals: InvariantCounts | null = null;
  let tally: Exercised | null = null;
  let maxVirtualMs = 0;
  for (let i = 0; i < count; i++) {
    if (skip.has(seed + i)) continue;
    const result = await runSchedule(seed + i, generateSchedule(seed + i, options));
    report(result);
    if (result.violated.length > 0) failing.push(result);
    totals = totals ? addCounts(totals, result.counts) : { ...result.counts };
    tally = tally ? addExercised(tally, result.exercised) : { ...result.exercised };
    maxVirtualMs = Math.max(maxVirtualMs, result.virtualMs);
  }
  return {
    schedules: count - [...skip].filter((skipped) => skipped >= seed && skipped < seed + count).length,
    failing,
    totals: totals ?? zero(),
    exercised: tally,
    maxVirtualMs,
    realMs: performance.now() - started,
  };
}

function addCounts(a: InvariantCounts, b: InvariantCounts): InvariantCounts {
  const sum = { ...a };
  for (const key of Object.keys(b) as (keyof InvariantCounts)[])
    sum[key] = key === 'invalid_10min_max' ? Math.max(a[key], b[key]) : a[key] + b[key];
  return sum;
}

function zero(): InvariantCounts {
  return {
    duplicates: 0,
    lost: 0,
    unverified: 0,
    unreachable_not_disabled: 0,
    retried_after_disable: 0,
    wrongly_disabled: 0,
    paused_over_minute: 0,
    unended_jobs: 0,
    invalid_10min_max: 0,
    per_post_in_digest: 0,
    stale_after_edit: 0,
    version_regressed: 0,
    followups_twice: 0,
    slack_rate_429: 0,
    stale_archived: 0,
    followups_missing: 0,
  };
}

/** One line of counts. */
export function formatCounts(counts: InvariantCounts | Exercised): string {
  return Object.entries(counts)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}
