import { Cluster } from 'ioredis';
import { NO_REDIS_SERVER, startCluster } from '../../tests/helpers/redis-topologies.js';
import { figure, percentile, type Figure } from '../lib/figures.js';
import type { Peer } from '../lib/peer.js';
import { startPipeline } from '../lib/pipeline.js';
import { deliveryPost, loadArchive, syntheticPosts } from '../lib/posts.js';
import { coreOver, measure, note, SYNTHETIC } from './lookups.js';
import { measureFanout, seedWorkspaces, warmUp, workspacesEnv } from './slack-workspaces.js';

/**
 * The lookup and many-workspace delivery scenarios again, on a private three-master Redis Cluster on this
 * machine (started here, removed after), with the product's cluster prefix `{psf}`: every key in one slot.
 */
export async function clusterVariants(peer: Peer): Promise<Figure[]> {
  if (NO_REDIS_SERVER) throw new Error(NO_REDIS_SERVER);
  const cluster = await startCluster(3);
  const nodes = cluster.nodes.map((node) => `${node.host}:${node.port}`).join(',');
  const redis = new Cluster(cluster.nodes, { lazyConnect: false });
  try {
    const archive = await loadArchive();
    const onArchive = await coreOver(redis, '{lookup-archive}', archive);
    const small = await measure(onArchive.core, onArchive.requests);
    const on50k = await coreOver(redis, '{lookup-50k}', syntheticPosts(SYNTHETIC, archive));
    const large = await measure(on50k.core, on50k.requests);
    const [first, post] = [deliveryPost(499), deliveryPost(500)];
    const prefix = '{psf}';
    await seedWorkspaces(redis, prefix, [first, post]);
    const pipeline = await startPipeline({ ...workspacesEnv(prefix, peer), REDIS_CLUSTER_NODES: nodes });
    let fanout;
    let cold = '';
    try {
      cold = await warmUp(peer, () => pipeline.announce([first]));
      fanout = await measureFanout(peer, () => pipeline.announce([post]), 60_000, {
        redis: pipeline.stores.redis,
        workerPids: [undefined],
      });
    } finally {
      await pipeline.close();
    }
    return [
      figure('lookup_p99_ms_archive_cluster', percentile(small.all, 99), 'ms', { note: note(small) }),
      figure('lookup_p99_ms_50k_cluster', percentile(large.all, 99), 'ms', {
        note: `${note(large)}; p50 ${percentile(large.all, 50).toFixed(2)} ms`,
      }),
      figure('slack_fanout_100ws_cluster_per_s', fanout.perSecond, 'msg/s', {
        digits: 1,
        note: `one process, Slack concurrency ${pipeline.slackConcurrency}; ${fanout.note}; ${cold}`,
      }),
    ];
  } finally {
    redis.disconnect();
    await cluster.stop();
  }
}
