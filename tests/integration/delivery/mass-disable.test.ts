import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { postKey } from '../../../src/posts/identity.js';
import type { Post } from '../../../src/posts/post.js';
import type { Subscription } from '../../../src/subscriptions/subscription.js';
import { deliverySafety, deliveryStatusNotes, guardReadiness } from '../../../jobs/delivery/safety.js';
import { visibleNotes } from '../../../src/commands/tenant-view.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { BOT_USER } from '../../fakes/discord/fake-rest.js';
import { FAKE_APPLICATION_ID } from '../../fakes/discord/wire.js';
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
      // Discord resumes as soon as the token works, so a refusal still in flight then is held and asked about
      // in a second round: at most two, each channel refused at most twice and read at most once.
      expect(guildLists() - listsBefore).toBeLessThanOrEqual(2);
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

describe('the probe after a trip', () => {
  it('runs as soon as a job trips the guard, not when the probe loop next wakes', async () => {
    const kicked = guildChannels('7940000000000');
    const healthy = guildChannels('7950000000000');
    const guild = '810000000000000008';
    const fine = '810000000000000009';
    discord.rest.guilds.add(guild, kicked);
    discord.rest.guilds.add(fine, healthy);
    discord.rest.guilds.remove(guild);
    const post = makePost(12);
    // The loop's own timer (and back-off) is a minute: only the trip's wake-up can resume Discord sooner.
    harness = await startHarness({
      prefix: uniquePrefix('probe-wake'),
      announcers: { discord: new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl }) },
      posts: [post],
      subscriptions: [...subscriptionsOf(guild, kicked), ...subscriptionsOf(fine, healthy)],
      concurrency: { discord: 4 },
      probeMs: 60_000,
    });
    const probesBefore = discord.rest.find('GET', /^\/users\/@me$/).length;
    await harness.sink.enqueue([post]);
    await waitFor(
      async () => (await harness!.ledger.forPost(postKey(post.feed, post.id))).length === 8,
      'the healthy server to get the post well before the probe timer',
    );
    expect(harness.counters.snapshot().discord.held).toBeGreaterThan(0);
    expect(discord.rest.find('GET', /^\/users\/@me$/).length - probesBefore).toBe(1);
  });
});

describe('once the token works, while Discord cannot answer for the held channels', () => {
  it('resumes the other servers at once and holds only the kicked one until Discord lists the servers again', async () => {
    const kicked = guildChannels('7900000000000');
    const healthy = guildChannels('7910000000000');
    const guild = '810000000000000004';
    const fine = '810000000000000005';
    discord.rest.guilds.add(guild, kicked);
    discord.rest.guilds.add(fine, healthy);
    discord.rest.guilds.remove(guild);
    // The token works (`GET /users/@me` answers), but the server list and channel reads answer 503.
    let unanswered = true;
    discord.rest.intercept = (request) =>
      unanswered &&
      request.method === 'GET' &&
      (request.path === '/users/@me/guilds' || /^\/channels\/\d+$/.test(request.path))
        ? { status: 503, body: { message: 'upstream unavailable' } }
        : null;
    const prefix = uniquePrefix('held-unconfirmed');
    const posts = [makePost(6), makePost(7)];
    try {
      harness = await startHarness({
        prefix,
        announcers: { discord: new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl }) },
        posts,
        subscriptions: [...subscriptionsOf(guild, kicked), ...subscriptionsOf(fine, healthy)],
        concurrency: { discord: 4 },
        probeMs: 300,
      });
      const guard = deliverySafety(harness.redis, prefix).guard;
      await harness.sink.enqueue([posts[0]!]);
      const delivered = async (post: Post, n: number) =>
        (await harness!.ledger.forPost(postKey(post.feed, post.id))).length === n;
      // The healthy server gets the post while the kicked server still cannot be confirmed.
      await waitFor(() => delivered(posts[0]!, 8), 'the healthy server to get the post');
      await waitFor(async () => (await guard.trips('discord')).length === 0, 'the pause to lift');
      expect(await harness.deliverQueues.discord!.isPaused()).toBe(false);
      expect(discord.rest.find('GET', /^\/users\/@me\/guilds$/).length).toBeGreaterThan(0);
      // The next post too; the kicked server's channels are held: not disabled past those the first answers
      // disabled, and never sent to again (one refused send each at most, that of the first post).
      await harness.sink.enqueue([posts[1]!]);
      await waitFor(() => delivered(posts[1]!, 8), 'the healthy server to get the second post');
      for (const id of kicked)
        expect(
          discord.rest.find('POST', new RegExp(`^/channels/${id}/messages$`)).length,
        ).toBeLessThanOrEqual(1);
      expect(await guard.heldScopes('discord')).toEqual(['discord']);
      const disabledMeanwhile = (await harness.subscriptions.list()).filter(
        (sub) => sub.disabledReason !== null,
      );
      for (const sub of disabledMeanwhile) expect(sub.workspaceId).toBe(guild);
      expect(harness.counters.snapshot().discord.disabled).toBeLessThan(5);

      // Discord answers again: the kicked server is confirmed gone and disabled, with its reason.
      unanswered = false;
      await waitFor(
        async () =>
          (await harness!.subscriptions.list()).filter((sub) => sub.disabledReason !== null).length === 8 &&
          (await harness!.idle()),
        'the kicked server to be disabled',
        30_000,
      );
      for (const sub of await harness.subscriptions.list())
        expect(sub.disabledReason === null ? fine : sub.workspaceId).toBe(
          sub.disabledReason === null ? sub.workspaceId : guild,
        );
      for (const id of healthy) expect(discord.rest.messages.get(id)).toHaveLength(2);
      expect(await guard.heldScopes('discord')).toEqual([]);
      expect(await guard.redrives('discord')).toEqual([]);
    } finally {
      discord.rest.intercept = null;
    }
  });

  it('re-drives every job skipped for a held channel once Discord shows the channel is fine', async () => {
    const channels = Array.from({ length: 8 }, (_, i) => `79200000000000${String(1000 + i)}`);
    discord.rest.guilds.add('810000000000000006', channels);
    // Five channels answer 50001 once (a proxy's stray answers): the guard trips over them. Their channel
    // reads answer 503 for a while, so they stay held while the other posts flow.
    for (const id of channels.slice(0, 5))
      discord.rest.cue('POST', new RegExp(`^/channels/${id}/messages$`), {
        status: 403,
        body: { code: 50001, message: 'Missing Access' },
      });
    let unanswered = true;
    discord.rest.intercept = (request) =>
      unanswered && request.method === 'GET' && /^\/channels\/\d+$/.test(request.path)
        ? { status: 503, body: { message: 'upstream unavailable' } }
        : null;
    const prefix = uniquePrefix('held-redrive');
    const posts = [makePost(8), makePost(9), makePost(10)];
    try {
      harness = await startHarness({
        prefix,
        announcers: { discord: new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl }) },
        posts,
        subscriptions: channels.map((channelId) =>
          makeSubscription(0, { platform: 'discord', workspaceId: '810000000000000006', channelId }),
        ),
        concurrency: { discord: 1 },
        probeMs: 300,
      });
      const guard = deliverySafety(harness.redis, prefix).guard;
      await harness.sink.enqueue([posts[0]!]);
      await waitFor(
        async () => (await guard.heldScopes('discord')).length === 1,
        'the pause to lift, channels held',
      );
      // Two more posts while the channels are held: their jobs there are skipped and kept for re-drive.
      await harness.sink.enqueue([posts[1]!, posts[2]!]);
      await waitFor(
        async () =>
          (await harness!.ledger.forPost(postKey(posts[2]!.feed, posts[2]!.id))).length === 3 &&
          (await harness!.idle()),
        'the three channels not held to get the third post',
      );
      const held = (await guard.suspects('discord')).map((suspect) => suspect.channel.channelId).sort();
      expect(held).toEqual(channels.slice(0, 5));
      for (const id of held) expect(discord.rest.messages.get(id) ?? []).toHaveLength(0);

      unanswered = false;
      for (const post of posts)
        await waitFor(
          async () => (await harness!.ledger.forPost(postKey(post.feed, post.id))).length === 8,
          `every channel to get ${post.title}`,
          30_000,
        );
      expect((await harness.subscriptions.list()).filter((sub) => sub.disabledReason !== null)).toEqual([]);
      for (const id of channels) expect(discord.rest.messages.get(id)).toHaveLength(3);
      await waitFor(() => harness!.idle(), 'every job to end');
      expect(await guard.redrives('discord')).toEqual([]);
    } finally {
      discord.rest.intercept = null;
    }
  });
});

describe('a DISCORD_TOKEN of another working bot', () => {
  const OTHER_BOT = '955000000000000001';

  it('pauses Discord before any send, disables nothing, names both ids, and resumes once the token is right', async () => {
    const guild = '810000000000000007';
    const channels = guildChannels('7930000000000');
    discord.rest.guilds.add(guild, channels);
    // The other bot is not in the subscribed server: every channel would answer 50001 and the server list
    // would lack the server, so the confirmation would call it gone.
    discord.rest.guilds.remove(guild);
    discord.rest.bot = { userId: OTHER_BOT, applicationId: OTHER_BOT };
    const prefix = uniquePrefix('wrong-bot');
    const post = makePost(11);
    try {
      harness = await startHarness({
        prefix,
        announcers: {
          discord: new DiscordAnnouncer({
            token: FAKE_TOKEN,
            apiUrl: discord.apiUrl,
            applicationId: FAKE_APPLICATION_ID,
          }),
        },
        posts: [post],
        subscriptions: subscriptionsOf(guild, channels),
        probeMs: 300,
      });
      const safety = deliverySafety(harness.redis, prefix);
      const ready = guardReadiness(safety.guard, ['discord']);
      const says = `DISCORD_TOKEN is the token of bot ${OTHER_BOT}, not of application ${FAKE_APPLICATION_ID}`;
      await waitFor(async () => (await safety.guard.trips('discord')).length === 1, 'Discord to pause');
      await harness.sink.enqueue([post]);
      await waitFor(
        async () => (await harness!.deliverQueues.discord!.getJobCounts('waiting')).waiting === 8,
        'the post to wait in the paused queue',
      );
      expect(await harness.deliverQueues.discord!.isPaused()).toBe(true);
      expect(await ready()).toContain(says);
      const notes = await deliveryStatusNotes(safety, ['discord']);
      const operator = visibleNotes({ kind: 'operator' }, notes).join('\n');
      expect(operator).toContain(says);
      // The members of that server are told it is paused, not how the bot is set up.
      const member = visibleNotes({ kind: 'tenant', platform: 'discord', workspaceId: guild }, notes).join(
        '\n',
      );
      expect(member).toMatch(/PAUSED/);
      expect(member).not.toContain(OTHER_BOT);
      // A probe round later, still the other bot: nothing sent, nothing disabled, no server list read.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      for (const id of channels)
        expect(discord.rest.find('POST', new RegExp(`^/channels/${id}/messages$`))).toEqual([]);
      expect((await harness.subscriptions.list()).filter((sub) => sub.disabledReason !== null)).toEqual([]);

      // The operator puts the bot's own token in: the probe passes, and every channel gets the post.
      discord.rest.bot = { userId: BOT_USER.id, applicationId: FAKE_APPLICATION_ID };
      discord.rest.guilds.removed.delete(guild);
      await waitFor(
        async () => (await harness!.ledger.forPost(postKey(post.feed, post.id))).length === 8,
        'every channel once the token is right',
        30_000,
      );
      expect(await ready()).toBe(true);
      expect((await harness.subscriptions.list()).filter((sub) => sub.disabledReason !== null)).toEqual([]);
    } finally {
      discord.rest.bot = { userId: BOT_USER.id, applicationId: FAKE_APPLICATION_ID };
      discord.rest.guilds.removed.delete(guild);
    }
  });

  it('takes a bot whose user id differs from its application id (older bots) as its own', async () => {
    // The fake's own bot is such a bot: user 900…1, application 900…2.
    const announcer = new DiscordAnnouncer({
      token: FAKE_TOKEN,
      apiUrl: discord.apiUrl,
      applicationId: FAKE_APPLICATION_ID,
    });
    await expect(announcer.checkIdentity()).resolves.toBeUndefined();
    await expect(announcer.probe()).resolves.toBeUndefined();
    discord.rest.bot = { userId: OTHER_BOT, applicationId: OTHER_BOT };
    try {
      await expect(announcer.probe()).rejects.toMatchObject({ kind: 'auth', code: 'wrong_bot' });
    } finally {
      discord.rest.bot = { userId: BOT_USER.id, applicationId: FAKE_APPLICATION_ID };
    }
  });
});
