import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { postKey } from '../../../src/posts/identity.js';
import type { Post } from '../../../src/posts/post.js';
import type { Subscription } from '../../../src/subscriptions/subscription.js';
import { deliverySafety, guardReadiness } from '../../../jobs/delivery/safety.js';
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

describe('the mass-disable guard', () => {
  it('pauses Discord instead of disabling channel after channel, says so, and resumes once a probe succeeds', async () => {
    const post = makePost(1);
    const channels = Array.from({ length: 20 }, (_, i) => `74000000000000${String(1000 + i)}`);
    discord.rest.guilds.add('1', channels);
    const prefix = uniquePrefix('mass-disable');
    // Channel after channel "loses access" at once: the bot, not the channels, is what is wrong. The fifth such
    // answer trips the guard; once the token works, Discord shows every channel (`GET /channels/{id}`), so
    // the four channels disabled before it are re-enabled and their jobs re-driven.
    discord.rest.cue(
      'POST',
      /^\/channels\/\d+\/messages$/,
      { status: 403, body: { code: 50001, message: 'Missing Access' } },
      5,
    );
    discord.rest.cue(
      'GET',
      /^\/users\/@me$/,
      { status: 401, body: { code: 0, message: '401: Unauthorized' } },
      3,
    );
    harness = await startHarness({
      prefix,
      announcers: { discord: new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl }) },
      posts: [post],
      subscriptions: channels.map((channelId) =>
        makeSubscription(0, { platform: 'discord', workspaceId: '1', channelId }),
      ),
      concurrency: { discord: 4 },
      probeMs: 300,
    });
    const ready = guardReadiness(deliverySafety(harness.redis, prefix).guard, ['discord']);
    await harness.sink.enqueue([post]);

    let reported: string | boolean = true;
    await waitFor(async () => (reported = await ready()) !== true, 'readiness to name the pause');
    expect(reported).toMatch(/^discord paused by the mass-disable guard \(50001: /);
    await waitFor(() => harness!.deliverQueues.discord!.isPaused(), 'the Discord queue to pause');

    await waitFor(
      async () => (await harness!.ledger.forPost(postKey(post.feed, post.id))).length === 20,
      'every channel once the probe succeeds',
      40_000,
    );
    expect(await ready()).toBe(true);
    expect((await harness.subscriptions.list()).filter((sub) => sub.disabledReason !== null)).toEqual([]);
    for (const id of channels) expect(discord.rest.messages.get(id)).toHaveLength(1);
    const counts = harness.counters.snapshot().discord;
    expect(counts.held).toBeGreaterThan(0);
    expect(counts.disabled).toBeLessThan(5);
  });

  it('re-drives every job skipped while a channel was disabled, once Discord shows the channel is fine', async () => {
    const posts = [makePost(3), makePost(4), makePost(5)];
    const [first, second, third] = posts as [Post, Post, Post];
    const channels = Array.from({ length: 8 }, (_, i) => `76500000000000${String(1000 + i)}`);
    discord.rest.guilds.add('2', channels);
    // Four channels answer 50001 to their first send: too few to trip the guard, so they are disabled, and
    // their jobs for the second post (queued already) are skipped.
    for (const id of channels.slice(0, 4))
      discord.rest.cue('POST', new RegExp(`^/channels/${id}/messages$`), {
        status: 403,
        body: { code: 50001, message: 'Missing Access' },
      });
    harness = await startHarness({
      prefix: uniquePrefix('mass-disable-skipped'),
      announcers: { discord: new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl }) },
      posts,
      subscriptions: channels.map((channelId) =>
        makeSubscription(0, { platform: 'discord', workspaceId: '2', channelId }),
      ),
      concurrency: { discord: 1 },
      probeMs: 300,
    });
    await harness.sink.enqueue([first, second]);
    await waitFor(() => harness!.idle(), 'the first two posts to settle');
    expect((await harness.subscriptions.list()).filter((sub) => sub.disabledReason !== null)).toHaveLength(4);
    // A fifth channel's 50001 to the third post trips the guard; Discord then shows every channel.
    discord.rest.cue('POST', new RegExp(`^/channels/${channels[4]!}/messages$`), {
      status: 403,
      body: { code: 50001, message: 'Missing Access' },
    });
    await harness.sink.enqueue([third]);
    for (const post of posts)
      await waitFor(
        async () => (await harness!.ledger.forPost(postKey(post.feed, post.id))).length === 8,
        `every channel to get ${post.title}`,
      );
    expect(harness.counters.snapshot().discord.held).toBeGreaterThan(0);
    expect((await harness.subscriptions.list()).filter((sub) => sub.disabledReason !== null)).toEqual([]);
    for (const id of channels) expect(discord.rest.messages.get(id)).toHaveLength(3);
  });

  it('a DISCORD_API_URL ending in /v10 (every send 404s) disables no subscription at all', async () => {
    const post = makePost(2);
    const channels = Array.from({ length: 10 }, (_, i) => `75000000000000${String(1000 + i)}`);
    harness = await startHarness({
      prefix: uniquePrefix('wrong-url'),
      announcers: {
        discord: new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: `${discord.apiUrl}/v10` }),
      },
      posts: [post],
      subscriptions: channels.map((channelId) =>
        makeSubscription(0, { platform: 'discord', workspaceId: '1', channelId }),
      ),
      attempts: 2,
    });
    await harness.sink.enqueue([post]);
    await waitFor(
      async () => (await harness!.deliverQueues.discord!.getFailedCount()) === 10 && (await harness!.idle()),
      'every delivery to fail',
    );
    expect((await harness.subscriptions.list()).filter((sub) => sub.disabledReason !== null)).toEqual([]);
    expect(harness.counters.snapshot().discord).toMatchObject({ disabled: 0, failed: 10, held: 0 });
  });
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

/** `GET /users/@me/guilds` so far: one per confirmation round. */
const guildLists = () => discord.rest.find('GET', /^\/users\/@me\/guilds$/).length;

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
    const invalidBefore = discord.rest.invalidAnswers.length;
    const listsBefore = guildLists();
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
    expect(guildLists() - listsBefore).toBe(1);
    expect(discord.rest.invalidAnswers.length - invalidBefore).toBeLessThanOrEqual(16);

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
