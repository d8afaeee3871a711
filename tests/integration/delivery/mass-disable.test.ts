import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { postKey } from '../../../src/posts/identity.js';
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
    const prefix = uniquePrefix('mass-disable');
    // Channel after channel "loses access" at once: the bot, not the channels, is what is wrong. The fifth such
    // answer trips the guard; the four channels disabled before it are re-enabled and their jobs re-driven.
    // (A lost-access answer after the guard clears disables its channel again, as it should: hence five.)
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
