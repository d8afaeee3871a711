import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { Cluster } from 'ioredis';
import type { Post } from '../../src/posts/post.js';
import type { RedisClient } from '../../src/store/redis-client.js';
import { RedisPostStore } from '../../src/store/redis-post-store.js';
import { RedisSubscriptionStore } from '../../src/subscriptions/redis-subscription-store.js';
import { atLeast, exactly, figure, type Figure } from '../lib/figures.js';
import { installBenchWorkspaces } from '../lib/installs.js';
import type { Peer } from '../lib/peer.js';
import { baseEnv, startPipeline } from '../lib/pipeline.js';
import { deliveryPost, subscription } from '../lib/posts.js';
import { withPrefix } from '../lib/redis.js';

/** The many-workspace scenario: one post to 1,000 channels, ten in each of 100 workspaces. */
export const WORKSPACES = 100;
export const CHANNELS = 1_000;

/** Installs `WORKSPACES` workspaces through OAuth (a bot token each) and subscribes `CHANNELS` channels. */
export async function seedWorkspaces(redis: RedisClient, prefix: string, posts: Post[]): Promise<void> {
  const teams = Array.from({ length: WORKSPACES }, (_, w) => `T0WS${w}`);
  await installBenchWorkspaces(redis, prefix, teams);
  await new RedisPostStore(redis, prefix).save(posts);
  const subscriptions = new RedisSubscriptionStore(redis, prefix);
  // Channel i belongs to workspace i mod 100, so the fan-out interleaves the workspaces as a real one would.
  for (let i = 0; i < CHANNELS; i += 1) {
    await subscriptions.put(
      subscription('slack', `T0WS${i % WORKSPACES}`, `C0${String(i).padStart(6, '0')}`),
    );
  }
}

/** The product's environment for the scenario: multi-workspace OAuth against the limited fake Slack. */
export function workspacesEnv(prefix: string, peer: Peer): Record<string, string> {
  return {
    ...baseEnv(prefix),
    SLACK_CLIENT_ID: 'bench-client',
    SLACK_CLIENT_SECRET: 'bench-client-secret',
    SLACK_STATE_SECRET: 'bench-state-secret',
    SLACK_SIGNING_SECRET: 'bench-signing-secret',
    SLACK_API_URL: peer.urls.slackApi,
  };
}

/**
 * Delivers a first post to every channel and waits a little over a second (each channel's interval): the
 * measured post then meets worker processes whose code is compiled and connections open, as in a
 * long-running deployment, rather than a process's first second.
 */
export async function warmUp(peer: Peer, announce: () => Promise<void>): Promise<string> {
  await peer.reset('slack');
  const started = performance.timeOrigin + performance.now();
  await announce();
  const stats = await peer.waitForAccepted('slack', CHANNELS, 60_000);
  if (stats.accepted < CHANNELS) throw new Error(`warm-up delivered ${stats.accepted}/${CHANNELS}`);
  const seconds = ((stats.acceptedAt.at(-1) ?? started) - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  return `first (cold) post ${(CHANNELS / seconds).toFixed(0)}/s, ${stats.rateLimited} × 429`;
}

/** CPU seconds (user + system) a process has used: this one, or a child by pid (Linux /proc). */
export async function cpuSeconds(pid?: number): Promise<number> {
  if (pid === undefined) {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  }
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

/** CPU seconds the Redis at `redis` has used (every master of a cluster together). */
async function redisCpuSeconds(redis: RedisClient): Promise<number> {
  const servers = redis instanceof Cluster ? redis.nodes('master') : [redis];
  let used = 0;
  for (const server of servers) {
    const info = await server.info('cpu');
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
    used += field('used_cpu_user') + field('used_cpu_sys');
  }
  return used;
}

/**
 * Messages per second from queueing the announce job to the last message accepted, what went wrong, and
 * where the CPU went meanwhile (the workers' processes, Redis), as shares of one core.
 */
export async function measureFanout(
  peer: Peer,
  announce: () => Promise<void>,
  capMs: number,
  where: { redis: RedisClient; workerPids: (number | undefined)[] },
): Promise<{ perSecond: number; note: string; rateLimited: number; duplicates: number }> {
  await peer.reset('slack');
  const cpu = async () => ({
    workers: await Promise.all(where.workerPids.map((pid) => cpuSeconds(pid))),
    redis: await redisCpuSeconds(where.redis),
    fake: peer.pid === undefined ? 0 : await cpuSeconds(peer.pid),
  });
  const before = await cpu();
  const started = performance.timeOrigin + performance.now();
  await announce();
  const stats = await peer.waitForAccepted('slack', CHANNELS, capMs);
  const after = await cpu();
  const seconds = ((stats.acceptedAt.at(-1) ?? started) - started) / 1000;
  const wall = (performance.timeOrigin + performance.now() - started) / 1000;
  const share = (used: number) => `${Math.round((100 * used) / wall)}%`;
  const workers = after.workers.map((used, i) => share(used - before.workers[i]!)).join('+');
  const capped = stats.accepted < CHANNELS ? ` (stopped at the ${capMs / 1000} s cap)` : '';
  return {
    perSecond: stats.accepted / seconds,
    rateLimited: stats.rateLimited,
    duplicates: stats.duplicates,
    note:
      `${stats.accepted}/${CHANNELS} in ${seconds.toFixed(2)} s${capped}; ${stats.rateLimited} × 429, ` +
      `${stats.duplicates} duplicates; CPU of one core: worker ${workers}, Redis ${share(after.redis - before.redis)}, ` +
      `fakes ${share(after.fake - before.fake)}, ` +
      `load ${loadavg()[0]!.toFixed(1)}`,
  };
}

/** One post, 1,000 channels in 100 workspaces, one worker process (this one, built as `start` builds it). */
export async function slackFanout100(peer: Peer): Promise<Figure[]> {
  return withPrefix('slack-100ws', async (redis, prefix) => {
    const [first, post] = [deliveryPost(299), deliveryPost(300)];
    await seedWorkspaces(redis, prefix, [first, post]);
    const pipeline = await startPipeline(workspacesEnv(prefix, peer));
    try {
      const cold = await warmUp(peer, () => pipeline.announce([first]));
      const run = await measureFanout(peer, () => pipeline.announce([post]), 60_000, {
        redis,
        workerPids: [undefined],
      });
      return [
        figure('slack_fanout_100ws_per_s', run.perSecond, 'msg/s', {
          goal: atLeast(200),
          digits: 1,
          note: `one process, Slack concurrency ${pipeline.slackConcurrency}; ${run.note}; ${cold}`,
        }),
        figure('slack_fanout_100ws_429', run.rateLimited, 'count', { goal: exactly(0) }),
        figure('slack_fanout_100ws_duplicates', run.duplicates, 'count', { goal: exactly(0) }),
      ];
    } finally {
      await pipeline.close();
    }
  });
}
