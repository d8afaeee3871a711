import { Queue } from 'bullmq';
import { deliverConcurrency } from '../../jobs/delivery/workers.js';
import { loadConfig } from '../../src/config.js';
import { productEnv } from '../lib/pipeline.js';
import { BullAnnouncementSink, QUEUE } from '../../jobs/queues.js';
import { figure, type Figure } from '../lib/figures.js';
import type { Peer } from '../lib/peer.js';
import { deliveryPost } from '../lib/posts.js';
import { startProduct, type ProductProcess } from '../lib/product.js';
import { withPrefix } from '../lib/redis.js';
import { measureFanout, seedWorkspaces, warmUp, workspacesEnv } from './slack-workspaces.js';
import { testRedisOptions } from '../../tests/helpers/test-redis.js';

const WORKER_COUNTS = [1, 2, 4] as const;
/** Each run stops here at the latest; the rate is then over what was delivered (noted). */
const CAP_MS = 40_000;
/** Posts measured per worker count (after the warm-up one); the figure is their median rate. */
const ROUNDS = 3;

/**
 * The many-workspace scenario (one post, 1,000 channels in 100 workspaces, OAuth installs) through `workers`
 * `psf-bot start --role worker` processes on one Redis: a warm-up post, then `ROUNDS` posts one after another
 * (1.5 s apart, each channel's interval), the median rate the figure, all of them in the note. One post takes a
 * few seconds, so a burst of other work on the machine can halve one round: the median is steadier.
 */
async function run(peer: Peer, workers: number): Promise<Figure> {
  return withPrefix(`scale${workers}`, async (redis, prefix) => {
    const first = deliveryPost(410 + workers);
    const posts = Array.from({ length: ROUNDS }, (_, i) => deliveryPost(420 + 10 * workers + i));
    await seedWorkspaces(redis, prefix, [first, ...posts]);
    const env = workspacesEnv(prefix, peer);
    const children: ProductProcess[] = [];
    const queue = new Queue(QUEUE.announce, { connection: testRedisOptions(), prefix });
    try {
      children.push(
        ...(await Promise.all(Array.from({ length: workers }, () => startProduct('worker', env)))),
      );
      const sink = new BullAnnouncementSink(queue);
      const cold = await warmUp(peer, () => sink.enqueue([first]));
      const rounds = [];
      for (const post of posts) {
        if (rounds.length > 0) await new Promise((resolve) => setTimeout(resolve, 1_500));
        rounds.push(
          await measureFanout(peer, () => sink.enqueue([post]), CAP_MS, {
            redis,
            workerPids: children.map((child) => child.child.pid),
          }),
        );
      }
      const sorted = [...rounds].sort((a, b) => a.perSecond - b.perSecond);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      const each = deliverConcurrency('slack', loadConfig(productEnv(env)));
      const all = rounds.map((round) => round.perSecond.toFixed(0)).join(', ');
      const note = `${workers} × concurrency ${each} = ${workers * each} Slack jobs at once; rounds ${all}/s; median: ${median.note}; ${cold}`;
      return figure(`scale_workers_${workers}_per_s`, median.perSecond, 'msg/s', { digits: 1, note });
    } finally {
      await Promise.all(children.map((child) => child.stop()));
      await queue.close();
    }
  });
}

/** Delivery rate with 1, 2 and 4 worker processes sharing one Redis, against Slack's per-channel and per-workspace limits. */
export async function scaleWorkers(peer: Peer): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const workers of WORKER_COUNTS) figures.push(await run(peer, workers));
  return figures;
}
