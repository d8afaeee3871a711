import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { BullAnnouncementSink, QUEUE } from '../../jobs/queues.js';
import { RedisPostStore } from '../../src/store/redis-post-store.js';
import { RedisSubscriptionStore } from '../../src/subscriptions/redis-subscription-store.js';
import { benchSlackToken } from '../fakes/limited-slack.js';
import { figure, type Figure } from '../lib/figures.js';
import type { Peer } from '../lib/peer.js';
import { baseEnv } from '../lib/pipeline.js';
import { deliveryPost, subscription } from '../lib/posts.js';
import { startProduct, type ProductProcess } from '../lib/product.js';
import { withPrefix } from '../lib/redis.js';

const MESSAGES = 2_000;
const WORKER_COUNTS = [1, 2, 4] as const;
/** Each run stops here at the latest; the rate is then over what was delivered (noted). */
const CAP_MS = 40_000;
const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));
const BENCH_WORKER = fileURLToPath(new URL('../worker.ts', import.meta.url));

/**
 * The processes to start: the real `psf-bot start --role worker`, or, when BENCH_SLACK_LIMIT is set (an
 * experiment, not a figure of the product's defaults), bench/worker.ts with that Slack queue limit.
 */
function workerProcess(env: Record<string, string>): Promise<ProductProcess> {
  const limit = process.env.BENCH_SLACK_LIMIT;
  if (!limit) return startProduct('worker', env);
  return startProduct('worker', { ...env, BENCH_SLACK_LIMIT: limit }, { entry: [RUN_TS, BENCH_WORKER] });
}

/** 2,000 Slack messages (one post, 2,000 channels) through `workers` `start --role worker` processes. */
async function run(peer: Peer, workers: number): Promise<Figure> {
  return withPrefix(`scale${workers}`, async (redis, prefix) => {
    const post = deliveryPost(400 + workers);
    await new RedisPostStore(redis, prefix).save([post]);
    const subscriptions = new RedisSubscriptionStore(redis, prefix);
    for (let i = 0; i < MESSAGES; i += 1) await subscriptions.put(subscription('slack', 'T0SCALE', `C2${i}`));
    const env = {
      ...baseEnv(prefix),
      SLACK_BOT_TOKEN: benchSlackToken('T0SCALE'),
      SLACK_SIGNING_SECRET: 'bench-signing-secret',
      SLACK_API_URL: peer.urls.slackApi,
    };
    const children: ProductProcess[] = [];
    const queue = new Queue(QUEUE.announce, { connection: { host: '127.0.0.1', port: 6379 }, prefix });
    try {
      children.push(...(await Promise.all(Array.from({ length: workers }, () => workerProcess(env)))));
      await peer.reset('slack');
      const started = performance.timeOrigin + performance.now();
      await new BullAnnouncementSink(queue).enqueue([post]);
      const stats = await peer.waitForAccepted('slack', MESSAGES, CAP_MS);
      const seconds = ((stats.acceptedAt.at(-1) ?? started) - started) / 1000;
      const capped = stats.accepted < MESSAGES ? ` (stopped at the ${CAP_MS / 1000} s cap)` : '';
      const experiment = process.env.BENCH_SLACK_LIMIT
        ? `EXPERIMENT bench/worker.ts with a Slack queue limit of ${process.env.BENCH_SLACK_LIMIT}/s; `
        : '';
      const note = `${experiment}${stats.accepted}/${MESSAGES} in ${seconds.toFixed(1)} s${capped}; ${stats.rateLimited} × 429, ${stats.duplicates} duplicates`;
      return figure(`scale_workers_${workers}_per_s`, stats.accepted / seconds, 'msg/s', { digits: 1, note });
    } finally {
      await Promise.all(children.map((child) => child.stop()));
      await queue.close();
    }
  });
}

/** Delivery rate with 1, 2 and 4 worker processes sharing one Redis, against Slack's per-channel limit. */
export async function scaleWorkers(peer: Peer): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const workers of WORKER_COUNTS) figures.push(await run(peer, workers));
  return figures;
}
