import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { NONCE_TRUST_MS } from '../../../adapters/discord/earlier.js';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { samplePost } from '../../fakes/discord/posts.js';
import { BOT_USER, wire } from '../../fakes/discord/wire.js';

const MESSAGES = /^\/channels\/\d+\/messages$/;
let fake: FakeDiscord;
let channelSeq = 0;
const channel = () => `7100000000000000${String(++channelSeq).padStart(2, '0')}`;
const target = (channelId: string) => ({ workspaceId: '700000000000000001', channelId, options: {} });

beforeAll(async () => {
  fake = await FakeDiscord.start();
});
afterAll(async () => {
  await fake.stop();
});

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('Discord failures that say nothing about the channel', () => {
  const announcer = () => new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl });

  it.each([
    [
      'a proxy HTML 403',
      { status: 403, raw: '<html>Forbidden</html>', headers: { 'content-type': 'text/html' } },
    ],
    [
      'a CDN HTML 404',
      { status: 404, raw: '<html>Not Found</html>', headers: { 'content-type': 'text/html' } },
    ],
    ['an empty 403', { status: 403, raw: '' }],
    ["Discord's generic route 404 {code: 0}", { status: 404, body: { message: '404: Not Found', code: 0 } }],
    [
      'a 403 whose code is about the bot (40002, unverified account)',
      { status: 403, body: { code: 40002, message: 'x' } },
    ],
  ])('treats %s as transient, never as lost access', async (_name, response) => {
    fake.rest.cue('POST', MESSAGES, response);
    expect((await failure(announcer().announce(samplePost(), target(channel()), 'n-amb'))).kind).toBe(
      'transient',
    );
  });

  it('keeps the coded lost-access answers permanent', async () => {
    fake.cueError('POST', MESSAGES, 403, 50001, 'Missing Access');
    expect(await failure(announcer().announce(samplePost(), target(channel()), 'n-50001'))).toMatchObject({
      kind: 'permanent',
      code: '50001',
    });
  });

  it('every send 404s as transient when DISCORD_API_URL already ends in /v10', async () => {
    const wrong = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: `${fake.apiUrl}/v10` });
    expect(await failure(wrong.announce(samplePost(), target(channel()), 'n-v10'))).toMatchObject({
      kind: 'transient',
    });
  });

  it('asks again with its token after a 401 (discord.js drops the token on any 401)', async () => {
    const one = announcer();
    fake.rest.cue('POST', MESSAGES, { status: 401, body: { code: 0, message: '401: Unauthorized' } });
    expect((await failure(one.announce(samplePost(), target(channel()), 'n-401'))).kind).toBe('auth');
    await expect(one.announce(samplePost(), target(channel()), 'n-401b')).resolves.toMatchObject({
      messageId: expect.any(String),
    });
  });

  it('scopes a per-route 429 to the channel and only a global 429 to the whole platform', async () => {
    fake.cueRateLimit('POST', MESSAGES, 1);
    expect(await failure(announcer().announce(samplePost(), target(channel()), 'n-r'))).toMatchObject({
      kind: 'rate_limited',
      scope: 'channel',
    });
    fake.rest.cue('POST', MESSAGES, {
      status: 429,
      headers: { 'retry-after': '1', 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' },
      body: { message: 'You are being rate limited.', retry_after: 1, global: true },
    });
    expect(await failure(announcer().announce(samplePost(), target(channel()), 'n-g'))).toMatchObject({
      kind: 'rate_limited',
      scope: 'global',
    });
  });
});

describe('looking for an earlier attempt before sending again', () => {
  it('finds its own message announcing the post once the nonce window has passed', async () => {
    const bot = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl });
    const id = channel();
    const post = samplePost({ id: 'looked-for' });
    const since = new Date();
    const sent = await bot.announce(post, target(id), 'n-look');
    await bot.announce(samplePost({ id: 'other', url: 'https://example.org/other' }), target(id), 'n-other');
    const later = new Date(Date.now() + NONCE_TRUST_MS + 1);
    const look = (p = post) => bot.findEarlier(p, target(id), { nonce: 'n-look', since });
    // Within the window the nonce guards a re-send, so no request is made.
    expect(await look()).toEqual({ found: null });
    const realNow = Date.now;
    Date.now = () => later.getTime();
    try {
      expect(await look()).toEqual({ found: { messageId: sent.messageId } });
      expect(await look(samplePost({ id: 'never', url: 'https://example.org/never' }))).toEqual({
        found: null,
      });
    } finally {
      Date.now = realNow;
    }
    const read = fake.rest.find('GET', MESSAGES).at(-1)!;
    expect(read.query.get('after')).toMatch(/^\d+$/);
  });

  it("does not take the bot's answer to a slash command that shows the post for the announcement", async () => {
    const bot = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl, nonceTrustMs: 0 });
    const id = channel();
    const post = samplePost({ id: 'shown-by-lookup' });
    const since = new Date();
    // `/psf latest` in the channel: the interaction's answer is the bot's too, with the post's embed.
    const reply = {
      ...wire({
        id: '9',
        channel_id: id,
        content: '',
        embeds: [{ url: post.url }],
        flags: 0,
        crossposted: false,
        body: {},
      }),
      type: 20,
      webhook_id: BOT_USER.id,
    };
    fake.rest.cue('GET', MESSAGES, { status: 200, body: [reply] });
    expect(await bot.findEarlier(post, target(id), { nonce: 'n-lookup', since })).toEqual({ found: null });
  });

  it('says the look is unavailable when the bot may not read history, so the caller sends as before', async () => {
    const bot = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl });
    fake.cueError('GET', MESSAGES, 403, 50013, 'Missing Permissions');
    const since = new Date(Date.now() - NONCE_TRUST_MS - 1_000);
    expect(await bot.findEarlier(samplePost(), target(channel()), { nonce: 'n', since })).toMatchObject({
      unavailable: expect.stringContaining('Read Message History'),
    });
  });
});
