import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { postKey } from '../../../src/posts/identity.js';
import type { Subscription } from '../../../src/subscriptions/subscription.js';
import { deliverySafety } from '../../../jobs/delivery/safety.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;
let harness: Harness | undefined;
let discord: FakeDiscord;

beforeAll(async () => {
  discord = await FakeDiscord.start();
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(async () => {
  await discord.stop();
});

const KICKED = '810000000000000001';
const HEALTHY = '810000000000000002';

function guildChannels(base: string): string[] {
  return Array.from({ length: 8 }, (_, i) => `${base}${String(100 + i)}`);
}

function subscriptionsOf(guildId: string, channels: readonly string[]): Subscription[] {
  return channels.map((channelId) =>
    makeSubscription(0, { platform: 'discord', workspaceId: guildId, channelId }),
  );
}

/** Requests the fake received on a channel's routes. */
function requestsTo(channelId: string): number {
  return discord.rest.requests.filter((request) => request.path.startsWith(`/channels/${channelId}`)).length;
}

describe('a server that removed the bot', () => {
  it('settles in one round: its channels are disabled with the reason, the other server gets every post', async () => {
    // Ids sort before the healthy server's, so the kicked channels answer first and trip the mass-disable guard.
    const kicked = guildChannels('7600000000000');
    const healthy = guildChannels('7700000000000');
    discord.rest.guilds.add(KICKED, kicked);
    discord.rest.guilds.add(HEALTHY, healthy);
    discord.rest.guilds.remove(KICKED);
    const prefix = uniquePrefix('server-removed');
    const posts = [makePost(1), makePost(2)];
    harness = await startHarness({
      prefix,
      announcers: { discord: new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl }) },
      posts,
      subscriptions: [...subscriptionsOf(KICKED, kicked), ...subscriptionsOf(HEALTHY, healthy)],
      concurrency: { discord: 4 },
      probeMs: 300,
    });
    const invalidBefore = discord.rest.invalidRequests;
    await harness.sink.enqueue([posts[0]!]);

    await waitFor(
      async () => (await harness!.ledger.forPost(postKey(posts[0]!.feed, posts[0]!.id))).length === 8,
      'the healthy server to get the post',
    );
    await waitFor(() => harness!.idle(), 'every job to end');
    const disabled = (await harness.subscriptions.list()).filter((sub) => sub.disabledReason !== null);
    expect(disabled.map((sub) => sub.channelId).sort()).toEqual(kicked);
    for (const sub of disabled) expect(sub.disabledReason).toMatch(/removed from this server/);
    expect(await deliverySafety(harness.redis, prefix).guard.trips('discord')).toEqual([]);
    expect(await harness.deliverQueues.discord!.isPaused()).toBe(false);

    // A few requests per kicked channel: the refused send, at most one confirmation; one guild list per round.
    for (const id of kicked) expect(requestsTo(id)).toBeLessThanOrEqual(2);
    expect(discord.rest.find('GET', /^\/users\/@me\/guilds$/).length).toBe(1);
    expect(discord.rest.invalidRequests - invalidBefore).toBeLessThanOrEqual(16);

    // The next post goes to the healthy server only; the kicked server costs nothing more.
    const before = kicked.map(requestsTo);
    await harness.sink.enqueue([posts[1]!]);
    await waitFor(
      async () => (await harness!.ledger.forPost(postKey(posts[1]!.feed, posts[1]!.id))).length === 8,
      'the healthy server to get the second post',
    );
    await waitFor(() => harness!.idle(), 'every job to end');
    expect(kicked.map(requestsTo)).toEqual(before);
    for (const id of healthy) expect(discord.rest.messages.get(id)).toHaveLength(2);
  });

  it('never loops on channels Discord shows but refuses to post in (50013): disabled after one confirmation', async () => {
    const guild = '810000000000000003';
    const refusing = guildChannels('7800000000000');
    discord.rest.guilds.add(guild, refusing);
    const post = makePost(3);
    // The bot may view these channels (GET /channels/{id} answers 200) but not send there.
    discord.rest.intercept = (request) =>
      request.method === 'POST' && refusing.some((id) => request.path === `/channels/${id}/messages`)
        ? { status: 403, body: { code: 50013, message: 'Missing Permissions' } }
        : null;
    const prefix = uniquePrefix('server-refusing');
    harness = await startHarness({
      prefix,
      announcers: { discord: new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl }) },
      posts: [post],
      subscriptions: subscriptionsOf(guild, refusing),
      concurrency: { discord: 4 },
      probeMs: 300,
    });
    const guildLists = () => discord.rest.find('GET', /^\/users\/@me\/guilds$/).length;
    const listsBefore = guildLists();
    try {
      await harness.sink.enqueue([post]);
      await waitFor(
        async () =>
          (await harness!.subscriptions.list()).every((sub) => sub.disabledReason !== null) &&
          (await harness!.idle()),
        'every refusing channel to be disabled',
      );
      for (const sub of await harness.subscriptions.list()) expect(sub.disabledReason).toMatch(/^50013: /);
      // One confirmation round: each channel refused at most twice and read at most once.
      expect(guildLists() - listsBefore).toBe(1);
      for (const id of refusing) {
        expect(
          discord.rest.find('POST', new RegExp(`^/channels/${id}/messages$`)).length,
        ).toBeLessThanOrEqual(2);
        expect(discord.rest.find('GET', new RegExp(`^/channels/${id}$`)).length).toBeLessThanOrEqual(1);
      }
      expect(await deliverySafety(harness.redis, prefix).guard.trips('discord')).toEqual([]);
    } finally {
      discord.rest.intercept = null;
    }
  });
});
