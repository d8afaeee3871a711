import { DISCORD_LIMITS } from '../fakes/limited-discord.js';
import { atLeast, exactly, figure, type Figure } from '../lib/figures.js';
import type { Peer } from '../lib/peer.js';
import { baseEnv, startPipeline } from '../lib/pipeline.js';
import { deliveryPost, discordChannelId, subscription } from '../lib/posts.js';
import { withPrefix } from '../lib/redis.js';

const CHANNELS = 1_000;
const GUILDS = 50;
const TIMEOUT_MS = 120_000;

/**
 * One post to 1,000 subscribed Discord channels through BullMQ fan-out, the deliver workers and
 * DiscordAnnouncer, against a Discord that enforces 50 requests/s per token and 5 messages/5 s per channel.
 * Time runs from queueing the announce job to the last message Discord accepted.
 */
export async function discordFanout(peer: Peer): Promise<Figure[]> {
  return withPrefix('discord', async (_redis, prefix) => {
    const pipeline = await startPipeline({
      ...baseEnv(prefix),
      DISCORD_TOKEN: 'bench-discord-token',
      DISCORD_APPLICATION_ID: '900000000000000002',
      DISCORD_API_URL: peer.urls.discordApi,
    });
    try {
      const post = deliveryPost(1);
      await pipeline.stores.posts.save([post]);
      for (let i = 0; i < CHANNELS; i += 1) {
        await pipeline.stores.subscriptions.put(
          subscription('discord', String(700_000_000_000_000_000n + BigInt(i % GUILDS)), discordChannelId(i)),
        );
      }
      await peer.reset('discord');
      const started = performance.timeOrigin + performance.now();
      await pipeline.announce([post]);
      let stats = await peer.waitForAccepted('discord', CHANNELS, TIMEOUT_MS);
      // A short wait more, so a late duplicate or 429 is counted too.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      stats = await peer.stats('discord');
      const last = stats.acceptedAt.at(-1) ?? started;
      const seconds = (last - started) / 1000;
      const perSecond = stats.accepted / seconds;
      const limit = pipeline.config.discord?.requestsPerSecond;
      const local = pipeline.counters.get('discord', 'rate_limited');
      const note = `${stats.accepted}/${CHANNELS} delivered at ${perSecond.toFixed(1)}/s; DISCORD_RATE_LIMIT=${limit}; ${local} rate-limited attempts seen by workers`;
      return [
        figure('discord_fanout_ratio', perSecond / DISCORD_LIMITS.globalPerSecond, 'ratio', {
          goal: atLeast(0.9),
          note,
        }),
        figure('discord_fanout_429', stats.rateLimited, 'count', {
          goal: exactly(0),
          note: `${stats.globalRateLimited} global`,
        }),
        figure('discord_fanout_duplicates', stats.duplicates, 'count', {
          goal: exactly(0),
          note: `${stats.nonceReplays} nonce replays answered without a new message`,
        }),
        figure('discord_fanout_seconds', seconds, 's', { digits: 2 }),
      ];
    } finally {
      await pipeline.close();
    }
  });
}
