// A worker process wired like `psf-bot start --role worker` (fan-out and deliver workers, real announcers,
// Redis stores; configuration from the environment) but with the Slack queue's limit set by
// BENCH_SLACK_LIMIT (jobs per second), which the product has no setting for. Only the scaling experiment
// uses it (BENCH_SLACK_LIMIT=… npm run bench -- --only scale); the figures use the real CLI.
import { startPipeline } from './lib/pipeline.js';

const perSecond = Number(process.env.BENCH_SLACK_LIMIT);
if (!Number.isInteger(perSecond) || perSecond <= 0) {
  process.stderr.write('bench/worker.ts needs BENCH_SLACK_LIMIT (a positive integer)\n');
  process.exit(2);
}
const env = Object.fromEntries(
  Object.entries(process.env).flatMap(([k, v]) => (v === undefined ? [] : [[k, v]])),
);
const pipeline = await startPipeline(env, { limits: { slack: { max: perSecond, duration: 1_000 } } });
// The line bench/lib/product.ts waits for, in the product's own log format.
process.stdout.write(`${JSON.stringify({ msg: 'psf-bot started', port: 0, role: 'bench-worker' })}\n`);
process.once('SIGTERM', () => {
  void pipeline.close().finally(() => process.exit(0));
});
