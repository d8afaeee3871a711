import { plural } from '../../src/commands/command-deps.js';

/** One finding of `psf-bot doctor`: what was checked, whether it is fine, what was seen, and what to do. */
export interface DoctorCheck {
  check: string;
  ok: boolean;
  detail: string;
  /** What the operator should change; present on every failure, sometimes as advice on a pass. */
  fix?: string;
  /** A pass with a caveat, or a check that could not be made; neither fails the doctor. */
  mark?: 'warn' | 'unknown';
}

/** A passing check. */
export function pass(check: string, detail: string, fix?: string): DoctorCheck {
  return { check, ok: true, detail, ...(fix ? { fix } : {}) };
}

/** A failing check and its remedy. */
export function fail(check: string, detail: string, fix: string): DoctorCheck {
  return { check, ok: false, detail, fix };
}

/** Passes, with a caveat the operator should weigh (e.g. no persistence on a local Redis). */
export function warn(check: string, detail: string, fix: string): DoctorCheck {
  return { check, ok: true, mark: 'warn', detail, fix };
}

/** Could not be checked because something it depends on failed: said as unknown, not as fine or broken. */
export function unknown(check: string, detail: string, fix?: string): DoctorCheck {
  return { check, ok: true, mark: 'unknown', detail: `unknown: ${detail}`, ...(fix ? { fix } : {}) };
}

/** The message of anything thrown, with the cause that undici's `fetch failed` hides. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  if (error.name === 'TimeoutError') return 'no answer in time';
  if (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    return `${error.message}: ${code ? `${code} ` : ''}${cause.message}`.trim();
  }
  return error.message;
}

/**
 * One line per check: `ok` or `FAIL`, the check, what was seen, and after `— fix:` what to change;
 * then a summary line. Plain text, so it reads the same in a terminal, a log and a CI job.
 */
export function renderDoctorReport(checks: readonly DoctorCheck[]): string {
  const width = Math.max(0, ...checks.map((entry) => entry.check.length));
  const lines = checks.map((entry) => {
    const mark = !entry.ok
      ? 'FAIL'
      : entry.mark === 'warn'
        ? 'WARN'
        : entry.mark === 'unknown'
          ? '?   '
          : 'ok  ';
    const fix = entry.fix ? ` — fix: ${entry.fix}` : '';
    return `${mark} ${entry.check.padEnd(width)}  ${entry.detail}${fix}`;
  });
  lines.push(summary(checks));
  return lines.join('\n');
}

function summary(checks: readonly DoctorCheck[]): string {
  const failed = checks.filter((entry) => !entry.ok).length;
  const warned = checks.filter((entry) => entry.ok && entry.mark === 'warn').length;
  const unknowns = checks.filter((entry) => entry.ok && entry.mark === 'unknown').length;
  const extras = [
    ...(warned > 0 ? [`${plural(warned, 'warning')}`] : []),
    ...(unknowns > 0 ? [`${unknowns} could not be checked`] : []),
  ];
  const tail = extras.length > 0 ? ` (${extras.join(', ')})` : '';
  if (failed > 0) return `${failed} of ${plural(checks.length, 'check')} failed${tail}: see "fix:" above`;
  const all = checks.length === 1 ? 'the 1 check' : `all ${checks.length} checks`;
  return `${all} passed${tail}`;
}
