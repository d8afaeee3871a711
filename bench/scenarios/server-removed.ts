import { DiscordAnnouncer } from '../../adapters/discord/announcer.js';
import type { Subscription } from '../../src/subscriptions/subscription.js';
import { FAKE_TOKEN, FakeDiscord } from '../../tests/fakes/discord/fake-discord.js';
import { makePost, makeSubscription } from '../../tests/helpers/delivery-fixtures.js';
import { startHarness } from '../../tests/helpers/delivery-harness.js';
import { atMost, exactly, figure, type Figure } from '../lib/figures.js';
import { withPrefix } from '../lib/redis.js';

const CHANNELS_PER_SERVER = 50;
const KICKED = '810000000000000001';
const HEALTHY = '810000000000000002';
/** The guard probe's first back-off in production (`startGuardProbe`'s default). */
const PROBE_MS = 5_000;
const TIMEOUT_MS = 60_000;

function channels(base: bigint): string[] {
  return Array.from({ length: CHANNELS_PER_SERVER }, (_, i) => String(base + BigInt(i)));
}

function subscriptionsOf(guildId: string, ids: readonly string[]): Subscription[] {
  return ids.map((channelId) =>
    makeSubscription(0, { platform: 'discord', workspaceId: guildId, channelId }),
  );
}

interface Run {
  /** From queueing the post to the last healthy server's channel accepting it. */
  healthySeconds: number;
  /** Requests on the kicked server's channels' routes. */
  kickedRequests: number;
  /** `GET /users/@me/guilds`: one per confirmation round. */
  guildLists: number;
  /** 401/403/429 answers (Discord's invalid-request count). */
  invalid: number;
  disabled: number;
}

/** One post to both servers' channels through BullMQ and DiscordAnnouncer, the kicked server's queued first. */
async function run(removed: boolean): Promise<Run> {
  const discord = await FakeDiscord.start();
  const kicked = channels(760_000_000_000_000_000n);
  const healthy = channels(770_000_000_000_000_000n);
  discord.rest.guilds.add(KICKED, kicked);
  discord.rest.guilds.add(HEALTHY, healthy);
  if (removed) discord.rest.guilds.remove(KICKED);
  try {
    return await withPrefix('server-removed', async (_redis, prefix) => {
      const post = makePost(1);
      const harness = await startHarness({
        prefix,
        announcers: { discord: new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl }) },
        posts: [post],
        subscriptions: [...subscriptionsOf(KICKED, kicked), ...subscriptionsOf(HEALTHY, healthy)],
        probeMs: PROBE_MS,
      });
      try {
        const started = Date.now();
        await harness.sink.enqueue([post]);
        const deadline = started + TIMEOUT_MS;
        const arrived = () => healthy.every((id) => (discord.rest.messages.get(id)?.length ?? 0) > 0);
        while (!arrived() || !(await harness.idle())) {
          if (Date.now() > deadline) throw new Error('the healthy server did not get the post in time');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const last = Math.max(
          ...healthy.map((id) => discord.rest.createdAt.get(discord.rest.messages.get(id)![0]!.id) ?? 0),
        );
        const disabled = (await harness.subscriptions.list()).filter((sub) => sub.disabledReason !== null);
        return {
          healthySeconds: (last - started) / 1000,
          kickedRequests: discord.rest.requests.filter((request) =>
            kicked.some((id) => request.path.startsWith(`/channels/${id}`)),
          ).length,
          guildLists: discord.rest.find('GET', /^\/users\/@me\/guilds$/).length,
          invalid: discord.rest.invalidAnswers.length,
          disabled: disabled.length,
        };
      } finally {
        await harness.close();
      }
    });
  } finally {
    await discord.stop();
  }
}

/**
 * A server with 50 subscribed channels removes the bot while another server's 50 channels are healthy: what
 * it costs Discord (requests per kicked channel, invalid requests) and how long the healthy server waits
 * beyond a run where nobody removed the bot, with the production probe back-off (5 s).
 */
export async function serverRemoved(): Promise<Figure[]> {
  const baseline = await run(false);
  const removed = await run(true);
  const wait = removed.healthySeconds - baseline.healthySeconds;
  const perChannel = (removed.kickedRequests + removed.guildLists) / CHANNELS_PER_SERVER;
  return [
    figure('server_removed_requests_per_channel', perChannel, 'req', {
      goal: atMost(3),
      digits: 2,
      note: `${removed.kickedRequests} on the kicked channels + ${removed.guildLists} guild list(s), ${removed.invalid} answered 403; ${removed.disabled}/${CHANNELS_PER_SERVER} disabled`,
    }),
    figure('server_removed_rounds', removed.guildLists, 'count', { goal: exactly(1) }),
    figure('server_removed_other_server_wait_s', wait, 's', {
      goal: atMost(10),
      digits: 2,
      note: `healthy server done in ${removed.healthySeconds.toFixed(2)} s, ${baseline.healthySeconds.toFixed(2)} s with no server removed`,
    }),
  ];
}
