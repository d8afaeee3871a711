import { benchSlackToken, SLACK_LIMITS } from '../fakes/limited-slack.js';
import { atLeast, exactly, figure, type Figure } from '../lib/figures.js';
import { installBenchWorkspaces } from '../lib/installs.js';
import type { Peer } from '../lib/peer.js';
import { baseEnv, startPipeline } from '../lib/pipeline.js';
import { deliveryPost, subscription } from '../lib/posts.js';
import { withPrefix } from '../lib/redis.js';

const BURST_POSTS = 20;
const FANOUT_WORKSPACES = 10;
const FANOUT_CHANNELS = 1_000;
const SIGNING_SECRET = 'bench-signing-secret';

/** Slack's sustained limit per channel, in messages per second. */
const PER_CHANNEL_PER_S = (SLACK_LIMITS.perChannel * 1000) / SLACK_LIMITS.windowMs;

/**
 * 20 posts to one channel: the rate is (n − 1) over the time from the first to the last accepted message,
 * so a pipeline that sends exactly at the limit scores 1.0 and sending early only earns 429s.
 */
export async function slackBurst(peer: Peer): Promise<Figure[]> {
  return withPrefix('slack-burst', async (_redis, prefix) => {
    const pipeline = await startPipeline({
      ...baseEnv(prefix),
      SLACK_BOT_TOKEN: benchSlackToken('T0BURST'),
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: peer.urls.slackApi,
    });
    try {
      const posts = Array.from({ length: BURST_POSTS }, (_, i) => deliveryPost(100 + i));
      await pipeline.stores.posts.save(posts);
      await pipeline.stores.subscriptions.put(subscription('slack', 'T0BURST', 'C0BURST'));
      await peer.reset('slack');
      await pipeline.announce(posts);
      const stats = await peer.waitForAccepted('slack', BURST_POSTS, 90_000);
      const times = stats.acceptedAt;
      const span = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
      const rate = times.length > 1 ? (times.length - 1) / span : Number.NaN;
      const gaps = times.slice(1).map((at, i) => at - times[i]!);
      const note = `${stats.accepted}/${BURST_POSTS} in ${span.toFixed(2)} s; gaps ${Math.min(...gaps).toFixed(0)}–${Math.max(...gaps).toFixed(0)} ms`;
      return [
        figure('slack_burst_ratio', rate / PER_CHANNEL_PER_S, 'ratio', { goal: atLeast(0.9), note }),
        figure('slack_burst_429', stats.rateLimited, 'count', { goal: exactly(0) }),
      ];
    } finally {
      await pipeline.close();
    }
  });
}

/** One post to 1,000 channels across 10 workspaces (OAuth mode: each workspace its own bot token). */
export async function slackFanout(peer: Peer): Promise<Figure[]> {
  return withPrefix('slack-fanout', async (redis, prefix) => {
    const teams = Array.from({ length: FANOUT_WORKSPACES }, (_, w) => `T0BENCH${w}`);
    await installBenchWorkspaces(redis, prefix, teams);
    const pipeline = await startPipeline({
      ...baseEnv(prefix),
      SLACK_CLIENT_ID: 'bench-client',
      SLACK_CLIENT_SECRET: 'bench-client-secret',
      SLACK_STATE_SECRET: 'bench-state-secret',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: peer.urls.slackApi,
    });
    try {
      const post = deliveryPost(200);
      await pipeline.stores.posts.save([post]);
      for (let i = 0; i < FANOUT_CHANNELS; i += 1) {
        const team = `T0BENCH${i % FANOUT_WORKSPACES}`;
        await pipeline.stores.subscriptions.put(
          subscription('slack', team, `C0${String(i).padStart(6, '0')}`),
        );
      }
      await peer.reset('slack');
      const started = performance.timeOrigin + performance.now();
      await pipeline.announce([post]);
      const stats = await peer.waitForAccepted('slack', FANOUT_CHANNELS, 150_000);
      const seconds = ((stats.acceptedAt.at(-1) ?? started) - started) / 1000;
      const note = `${stats.accepted}/${FANOUT_CHANNELS} in ${seconds.toFixed(1)} s, ${stats.rateLimited} × 429, ${stats.duplicates} duplicates`;
      return [figure('slack_fanout_per_s', stats.accepted / seconds, 'msg/s', { note, digits: 1 })];
    } finally {
      await pipeline.close();
    }
  });
}
