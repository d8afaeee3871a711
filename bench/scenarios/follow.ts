import { BENCH_HUB } from '../fakes/limited-discord.js';
import { exactly, figure, type Figure } from '../lib/figures.js';
import type { Peer } from '../lib/peer.js';
import { baseEnv, startPipeline, type Pipeline } from '../lib/pipeline.js';
import { deliveryPost, discordChannelId, subscription } from '../lib/posts.js';
import { withPrefix } from '../lib/redis.js';

/** The channels the bench reaches: 10,000 following the hub, and as many (or fewer, see below) sent to directly. */
const REACH = 10_000;
/**
 * Direct sends measured; the figure for 10,000 is extrapolated from them at the measured rate (the rate is flat
 * past the first second: the per-token limit is the only bottleneck). `BENCH_FOLLOW_DIRECT_CHANNELS=10000` runs
 * the real 10,000 (about 3.5 minutes).
 */
const DIRECT = Number(process.env.BENCH_FOLLOW_DIRECT_CHANNELS ?? 2_000);
const GUILDS = 50;
const TIMEOUT_MS = 60_000;

const discordEnv = (prefix: string, peer: Peer, extra: Record<string, string> = {}) => ({
  ...baseEnv(prefix),
  DISCORD_TOKEN: 'bench-discord-token',
  DISCORD_APPLICATION_ID: '900000000000000002',
  DISCORD_API_URL: peer.urls.discordApi,
  ...extra,
});

async function waitForPublishes(peer: Peer, count: number): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (((await peer.stats('discord')).crossposts ?? 0) < count) {
    if (Date.now() > deadline) throw new Error(`the hub published fewer than ${count} posts in time`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // A short wait more, so a late retry or duplicate is counted too.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}

/**
 * The bot's Discord requests for one post that reaches 10,000 channels by Channel Follow: the post to the hub
 * (an announcement channel) and its publish; Discord makes the 10,000 copies. The first post of a worker process
 * also asks what the hub channel is (`GET /channels/{id}`, kept 10 minutes), so the figure is the second post's.
 */
async function followCost(peer: Peer): Promise<{ requests: number; first: number; copies: number }> {
  return withPrefix('follow', async (_redis, prefix) => {
    const pipeline = await startPipeline(
      discordEnv(prefix, peer, { DISCORD_HUB_CHANNELS: `psf:${BENCH_HUB.channelId}` }),
    );
    try {
      await peer.reset('discord');
      await pipeline.stores.posts.save([deliveryPost(1), deliveryPost(2)]);
      await pipeline.announce([deliveryPost(1)]);
      await waitForPublishes(peer, 1);
      const first = (await peer.stats('discord')).requests;
      await peer.reset('discord');
      await pipeline.announce([deliveryPost(2)]);
      await waitForPublishes(peer, 1);
      const stats = await peer.stats('discord');
      return { requests: stats.requests, first, copies: stats.followerCopies ?? 0 };
    } finally {
      await pipeline.close();
    }
  });
}

/** One post sent directly to `channels` subscribed channels through the same pipeline, at DISCORD_RATE_LIMIT. */
async function directCost(peer: Peer, channels: number) {
  return withPrefix('direct', async (_redis, prefix) => {
    const pipeline: Pipeline = await startPipeline(discordEnv(prefix, peer));
    try {
      const post = deliveryPost(3);
      await pipeline.stores.posts.save([post]);
      for (let i = 0; i < channels; i += 1) {
        const guild = String(700_000_000_000_000_000n + BigInt(i % GUILDS));
        await pipeline.stores.subscriptions.put(subscription('discord', guild, discordChannelId(i)));
      }
      await peer.reset('discord');
      const started = performance.timeOrigin + performance.now();
      await pipeline.announce([post]);
      await peer.waitForAccepted('discord', channels, Math.max(TIMEOUT_MS, channels * 40));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const stats = await peer.stats('discord');
      const seconds = ((stats.acceptedAt.at(-1) ?? started) - started) / 1000;
      return { seconds, stats, limit: pipeline.config.discord?.requestsPerSecond };
    } finally {
      await pipeline.close();
    }
  });
}

/** `follow`: what one post costs the bot to reach 10,000 channels by Channel Follow, beside direct sends. */
export async function followReach(peer: Peer): Promise<Figure[]> {
  const follow = await followCost(peer);
  const direct = await directCost(peer, DIRECT);
  const scale = REACH / DIRECT;
  const measured =
    DIRECT === REACH ? 'measured' : `extrapolated ×${scale} from ${DIRECT.toLocaleString('en')} measured`;
  const rate = direct.stats.accepted / direct.seconds;
  return [
    figure('follow_requests_per_post_10k', follow.requests, 'req', {
      goal: exactly(2),
      note: `send + publish; ${follow.copies.toLocaleString('en')} copies made by Discord; the first post of a process: ${follow.first} (+ GET /channels, kept 10 min)`,
    }),
    figure('direct_requests_per_post_10k', direct.stats.requests * scale, 'req', {
      note: `${measured}; ${direct.stats.rateLimited} × 429`,
    }),
    figure('direct_sends_10k_seconds', direct.seconds * scale, 's', {
      digits: 1,
      note: `${measured}: ${direct.stats.accepted}/${DIRECT} in ${direct.seconds.toFixed(1)} s (${rate.toFixed(1)}/s), DISCORD_RATE_LIMIT=${direct.limit}`,
    }),
  ];
}
