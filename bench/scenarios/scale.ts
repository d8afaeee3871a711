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

const WORKER_COUNTS = [1, 2, 4] as const;
/** Each run stops here at the latest; the rate is then over what was delivered (noted). */
const CAP_MS = 40_000;

/**
 * The many-workspace scenario (one post, 1,000 channels in 100 workspaces, OAuth installs) through `workers`
 * `psf-bot start --role worker` processes on one Redis.
 */
async function run(peer: Peer, workers: number): Promise<Figure> {
  return withPrefix(`scale${workers}`, async (redis, prefix) => {
    const [first, post] = [deliveryPost(410 + workers), deliveryPost(400 + workers)];
    await seedWorkspaces(redis, prefix, [first, post]);
    const env = workspacesEnv(prefix, peer);
    const children: ProductProcess[] = [];
    const queue = new Queue(QUEUE.announce, { connection: { host: '127.0.0.1', port: 6379 }, prefix });
    try {
      children.push(
        ...(await Promise.all(Array.from({ length: workers }, () => startProduct('worker', env)))),
      );
      const sink = new BullAnnouncementSink(queue);
      const cold = await warmUp(peer, () => sink.enqueue([first]));
      const announce = () => sink.enqueue([post]);
      const measured = await measureFanout(peer, announce, CAP_MS, {
        redis,
        workerPids: children.map((child) => child.child.pid),
      });
      const each = deliverConcurrency('slack', loadConfig(productEnv(env)));
      const note = `${workers} × concurrency ${each} = ${workers * each} Slack jobs at once; ${measured.note}; ${cold}`;
      return figure(`scale_workers_${workers}_per_s`, measured.perSecond, 'msg/s', { digits: 1, note });
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
