/** How often a digest channel hears from the bot. */
export type DigestCadence = 'daily' | 'weekly';

export const DIGEST_CADENCES: readonly DigestCadence[] = ['daily', 'weekly'];

export const WEEKDAYS = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** When digests go out (`DIGEST_TIME`, `DIGEST_WEEKDAY`), always in UTC. */
export interface DigestSchedule {
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday, as `Date#getUTCDay` and cron count. */
  weekday: number;
}

/** One period of one cadence: the digest sent at `end` lists what was announced up to `end`. */
export interface DigestPeriod {
  cadence: DigestCadence;
  /** Names the period in job ids and the ledger: `daily-2026-12-01`, `weekly-2026-11-30` (no `:`). */
  key: string;
  /** The boundary the digest is due at. */
  end: Date;
  /** One period before `end`. */
  start: Date;
}

const DAY_MS = 86_400_000;

/** The length of one period. */
export function periodLengthMs(cadence: DigestCadence): number {
  return cadence === 'daily' ? DAY_MS : 7 * DAY_MS;
}

/**
 * The latest period whose boundary is at or before `now`: the one a digest is due for. After downtime this
 * is the newest missed boundary, so however long the gap, one digest goes out for it, late.
 */
export function latestPeriod(cadence: DigestCadence, schedule: DigestSchedule, now: Date): DigestPeriod {
  const day = new Date(now);
  day.setUTCHours(schedule.hour, schedule.minute, 0, 0);
  let end = day.getTime();
  if (end > now.getTime()) end -= DAY_MS;
  if (cadence === 'weekly') {
    const back = (new Date(end).getUTCDay() - schedule.weekday + 7) % 7;
    end -= back * DAY_MS;
  }
  const endDate = new Date(end);
  return {
    cadence,
    key: `${cadence}-${endDate.toISOString().slice(0, 10)}`,
    end: endDate,
    start: new Date(end - periodLengthMs(cadence)),
  };
}

/** When the next digest of `cadence` goes out after `now`. */
export function nextDigestAt(cadence: DigestCadence, schedule: DigestSchedule, now: Date): Date {
  return new Date(latestPeriod(cadence, schedule, now).end.getTime() + periodLengthMs(cadence));
}

/** `weekly digest, next on Monday 15:00 UTC`: what a channel is told about its digest. */
export function describeDigest(cadence: DigestCadence, schedule: DigestSchedule, now: Date): string {
  const next = nextDigestAt(cadence, schedule, now);
  const day = WEEKDAYS[next.getUTCDay()]!;
  const time = next.toISOString().slice(11, 16);
  return `${cadence} digest, next on ${day[0]!.toUpperCase()}${day.slice(1)} ${time} UTC`;
}

/** The cron pattern (minute hour day month weekday, UTC) of a cadence's boundaries, for a job scheduler. */
export function cronPattern(cadence: DigestCadence, schedule: DigestSchedule): string {
  return `${schedule.minute} ${schedule.hour} * * ${cadence === 'daily' ? '*' : schedule.weekday}`;
}

/** Parses `HH:MM` (24-hour, UTC). */
export function parseDigestTime(text: string): { hour: number; minute: number } | null {
  const match = /^\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!match) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  return hour <= 23 && minute <= 59 ? { hour, minute } : null;
}
