import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordClient } from '../../../adapters/discord/client.js';
import { DiscordChannelFollows } from '../../../adapters/discord/follows.js';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import { MAX_WEBHOOKS_PER_CHANNEL } from '../../fakes/discord/fake-follows.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';

const HUB = '740000000000000001';
const TEXT_HUB = '740000000000000002';
const OTHER_GUILD = '740000000000000100';
const [A, B, C, FORUM, GONE] = [
  '740000000000000101',
  '740000000000000102',
  '740000000000000103',
  '740000000000000104',
  '740000000000000105',
];

let fake: FakeDiscord;
let follows: DiscordChannelFollows;
let client: DiscordClient;

beforeAll(async () => {
  fake = await FakeDiscord.start();
  fake.rest.channelTypes.set(HUB, 5);
  fake.rest.guilds.add('740000000000000000', [HUB, TEXT_HUB]);
  fake.rest.channelTypes.set(FORUM, 15);
  fake.rest.guilds.add(OTHER_GUILD, [A, B, C, FORUM]);
  fake.rest.guilds.add('740000000000000200', [GONE]);
  client = new DiscordClient({ token: FAKE_TOKEN, apiUrl: fake.apiUrl });
  follows = new DiscordChannelFollows(client);
});
afterAll(() => fake.stop());

const followPath = new RegExp(`^/channels/${HUB}/followers$`);

describe("Discord's channel follow through the client layer", () => {
  it('follows and unfollows; an unknown webhook is an ended follow', async () => {
    const made = await follows.follow(HUB, A);
    expect(made).toMatchObject({ ok: true, webhookId: expect.stringMatching(/^\d+$/) });
    const webhookId = (made as { webhookId: string }).webhookId;
    expect(fake.rest.followers.get(HUB)?.get(A)).toEqual({ webhookId, guildId: OTHER_GUILD });
    expect(await follows.unfollow(webhookId)).toEqual({ ok: true, gone: false });
    expect(await follows.unfollow(webhookId)).toEqual({ ok: true, gone: true });
    expect(fake.rest.find('DELETE', /^\/webhooks\/\d+$/)).toHaveLength(2);
  });

  it("classifies Discord's refusals by their JSON code", async () => {
    expect(await follows.follow(TEXT_HUB, A)).toMatchObject({ ok: false, failure: 'not_followable' });
    expect(await follows.follow(HUB, FORUM)).toMatchObject({ ok: false, failure: 'not_followable' });
    expect(await follows.follow('740000000000000999', A)).toMatchObject({
      ok: false,
      failure: 'unknown_channel',
    });
    fake.removeBotFrom('740000000000000200');
    expect(await follows.follow(HUB, GONE)).toMatchObject({ ok: false, failure: 'missing_access' });
    fake.cueError('POST', followPath, 403, 50001, 'Missing Access');
    expect(await follows.follow(HUB, B)).toMatchObject({ ok: false, failure: 'missing_access' });
    fake.cueError('POST', followPath, 400, 40001, 'Unauthorized');
    expect(await follows.follow(HUB, B)).toMatchObject({ ok: false, failure: 'refused' });
  });

  it('refuses past 15 webhooks in a channel with 30007', async () => {
    for (let i = 0; i < MAX_WEBHOOKS_PER_CHANNEL; i += 1)
      expect((await follows.follow(HUB, C)).ok).toBe(true);
    expect(await follows.follow(HUB, C)).toMatchObject({ ok: false, failure: 'too_many_webhooks' });
  });

  it('says a 429 is a wait and a 5xx or a lost answer is unclear (the follow may exist)', async () => {
    fake.cueRateLimit('POST', followPath, 3);
    expect(await follows.follow(HUB, B)).toMatchObject({
      ok: false,
      failure: 'rate_limited',
      retryAfterMs: expect.toSatisfy((ms: number) => ms >= 3_000 && ms < 4_000),
    });
    fake.cueError('POST', followPath, 502, 0, 'Bad Gateway');
    expect(await follows.follow(HUB, B)).toMatchObject({ ok: false, failure: 'unclear' });
    fake.rest.cue('POST', followPath, { status: 200, lose: true });
    const lost = await follows.follow(HUB, B);
    expect(lost).toMatchObject({ ok: false, failure: 'unclear' });
    // Discord did make it: which is why an unclear answer is never retried on its own.
    expect(fake.rest.followers.get(HUB)?.has(B)).toBe(true);
  });

  it("says a proxy's HTML 403/404 or 401 is unclear, never Discord's refusal (to follow or to unfollow)", async () => {
    const html = (status: number) => ({
      status,
      raw: `<html>${status}</html>`,
      headers: { 'content-type': 'text/html' },
    });
    for (const status of [401, 403, 404]) {
      fake.rest.cue('POST', followPath, html(status));
      expect(await follows.follow(HUB, B)).toMatchObject({ ok: false, failure: 'unclear' });
      fake.rest.cue('DELETE', /^\/webhooks\/\d+$/, html(status));
      expect(await follows.unfollow('740000000000000900')).toMatchObject({ ok: false, failure: 'unclear' });
    }
  });

  it("holds the fake to Discord's description: a follow without webhook_channel_id is 400 50035", async () => {
    const refused = await client.call('followChannel', { channelId: HUB }, { body: {} }).catch((e) => e);
    expect(refused).toBeInstanceOf(DeliveryError);
    expect((refused as DeliveryError).code).toBe('50035');
  });
});
