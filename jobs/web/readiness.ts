/**
 * One readiness check: `true` when ready; `false` or a string saying why when not. A check that throws
 * or takes longer than the timeout counts as not ready.
 */
export type ReadinessCheck = () => Promise<boolean | string>;

/** What `/readyz` reports: each check's result, `ok` or the reason it is not ready. */
export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, string>;
  /** Names of the checks that are not ready. */
  failing: string[];
}

const DEFAULT_TIMEOUT_MS = 3_000;

async function runOne(check: ReadinessCheck, timeoutMs: number): Promise<true | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    const result = await Promise.race([check(), timeout]);
    if (result === true) return true;
    return result === false ? 'not ready' : result;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once; a hung check (Redis gone quiet) cannot hang the probe. */
export async function checkReadiness(
  checks: Record<string, ReadinessCheck>,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((name) => runOne(checks[name]!, timeoutMs)));
  const report: ReadinessReport = { ready: true, checks: {}, failing: [] };
  names.forEach((name, index) => {
    const result = results[index]!;
    report.checks[name] = result === true ? 'ok' : result;
    if (result !== true) {
      report.ready = false;
      report.failing.push(name);
    }
  });
  return report;
}
