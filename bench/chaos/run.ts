// `npm run chaos [-- --short] [-- --fault "<name>"]`: the fault suite. Each fault runs in a fresh world (a private
// redis-server, fake Discord and Slack, one poller and two worker processes); prints delivered, duplicates,
// lost, wrongly_disabled and max_delay_s per fault and in total; exits 1 unless all but delivered are 0.
// `npm run chaos -- --random [--seed N] [--schedules K]`: K seeded fault schedules on a virtual clock instead
// (random/random.ts); prints each failing seed and every invariant's total; exits 1 when any schedule fails.
import { FULL, SHORT, formatFigures, runChaos } from './runner.js';
import { runRandomCli } from './random/cli.js';

const args = process.argv.slice(2);
if (args.includes('--random')) process.exit(await runRandomCli(args));
const options = args.includes('--short') ? SHORT : FULL;
const only = args.flatMap((arg, i) => (arg === '--fault' && args[i + 1] ? [args[i + 1]!] : []));
const started = Date.now();
console.log(
  `chaos: ${options.posts} posts × ${options.size.discordChannels} Discord + ${options.size.slackChannels} Slack channels`,
);
const { total } = await runChaos(only.length > 0 ? { ...options, faults: only } : options, (figures) =>
  console.log(formatFigures(figures)),
);
console.log(formatFigures(total));
console.log(`chaos: ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(total.duplicates + total.lost + total.wrongly_disabled === 0 ? 0 : 1);
