import { formatCounts, runRandom, HORIZON_MS } from './random.js';

/** The default of `--schedules`. */
export const DEFAULT_SCHEDULES = 1_000;

function option(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} needs a whole number, got ${args[at + 1]}`);
  return value;
}

/**
 * `--random [--seed N] [--schedules K] [--explain] [--plain]`: runs the schedules, prints failing seeds and
 * totals; the exit code. `--plain` plays the schedules without digests, edits, forums, crossposts, threads and
 * Slack's send limits, as the suite first had them.
 */
export async function runRandomCli(args: readonly string[]): Promise<number> {
  const seed = option(args, '--seed', 1);
  const schedules = option(args, '--schedules', DEFAULT_SCHEDULES);
  const plain = args.includes('--plain');
  console.log(
    `chaos --random: ${schedules} schedules from seed ${seed} (horizon ${HORIZON_MS / 60_000} virtual minutes after each one's last event, 20 more per edit where a channel crossposts)`,
  );
  const summary = await runRandom(
    seed,
    schedules,
    (result) => {
      if (result.violated.length === 0) return;
      console.log(
        `FAILED seed ${result.seed} (${result.violated.join(', ')}): ${formatCounts(result.counts)}\n` +
          `  replay: npm run chaos -- --random --seed ${result.seed} --schedules 1${plain ? ' --plain' : ''}`,
      );
      const shown = args.includes('--explain') ? result.details : result.details.slice(0, 3);
      for (const line of shown) console.log(`  ${line}`);
      if (shown.length < result.details.length)
        console.log(`  … ${result.details.length - shown.length} more (--explain)`);
    },
    new Set(),
    { plain },
  );
  console.log(`invariants (totals): ${formatCounts(summary.totals)}`);
  if (summary.exercised) console.log(`exercised (totals): ${formatCounts(summary.exercised)}`);
  console.log(
    `chaos --random: ${summary.schedules} schedules, ${summary.failing.length} failing, ` +
      `${(summary.realMs / 1000).toFixed(1)} s (longest schedule ${(summary.maxVirtualMs / 60_000).toFixed(1)} virtual minutes)`,
  );
  return summary.failing.length === 0 ? 0 : 1;
}
