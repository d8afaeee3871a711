/** One finding of `psf-bot doctor`: what was checked, whether it is fine, what was seen, and what to do. */
export interface DoctorCheck {
  check: string;
  ok: boolean;
  detail: string;
  /** What the operator should change; present on every failure, sometimes as advice on a pass. */
  fix?: string;
}

/** A passing check. */
export function pass(check: string, detail: string, fix?: string): DoctorCheck {
  return { check, ok: true, detail, ...(fix ? { fix } : {}) };
}

/** A failing check and its remedy. */
export function fail(check: string, detail: string, fix: string): DoctorCheck {
  return { check, ok: false, detail, fix };
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
    const mark = entry.ok ? 'ok  ' : 'FAIL';
    const fix = entry.fix ? ` — fix: ${entry.fix}` : '';
    return `${mark} ${entry.check.padEnd(width)}  ${entry.detail}${fix}`;
  });
  const failed = checks.filter((entry) => !entry.ok).length;
  lines.push(
    failed === 0
      ? `all ${checks.length} checks passed`
      : `${failed} of ${checks.length} checks failed: see "fix:" above`,
  );
  return lines.join('\n');
}
