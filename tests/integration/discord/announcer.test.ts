import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import { postKey } from '../../../src/posts/identity.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { samplePost } from '../../fakes/discord/posts.js';

const CHANNEL = '700000000000000010';
const NEWS = '700000000000000011';
const target = (channelId = CHANNEL, options = {}) => ({
  workspaceId: '700000000000000001',
  channelId,
  options,
});
const MESSAGES = /^\/channels\/\d+\/messages$/;

let fake: FakeDiscord;
let announcer: DiscordAnnouncer;

beforeAll(async () => {
  fake = await FakeDiscord.start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  announcer = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl });
});

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('DiscordAnnouncer against the fake Discord', () => {
  it('posts one embed with the nonce, enforce_nonce, no pings and the bot token', async () => {
    const post = samplePost({ summary: 'Ping @everyone and <@&123>!' });
    const nonce = postKey('psf', post.id);
    const delivered = await announcer.announce(post, target(), nonce);
    const [request] = fake.rest
      .find('POST', MESSAGES)
      .filter((r) => (r.body as { nonce?: string }).nonce === nonce);
    expect(request?.headers.authorization).toBe(`Bot ${FAKE_TOKEN}`);
    expect(request?.body).toMatchObject({ nonce, enforce_nonce: true, allowed_mentions: { parse: [] } });
    expect((request?.body as { embeds: unknown[] }).embeds).toHaveLength(1);
    expect(fake.rest.messages.get(CHANNEL)?.map((m) => m.id)).toContain(delivered.messageId);
  });

  it('creates no second message when the same nonce is sent again', async () => {
    const post = samplePost({ id: 'resend' });
    const nonce = postKey('psf', post.id);
    const before = fake.rest.messages.get(CHANNEL)?.length ?? 0;
    const first = await announcer.announce(post, target(), nonce);
    const second = await new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl }).announce(
      post,
      target(),
      nonce,
    );
    expect(second.messageId).toBe(first.messageId);
    expect(fake.rest.messages.get(CHANNEL)?.length).toBe(before + 1);
  });

  it('maps 403 Missing Access (50001), 50013 and Unknown Channel (10003) to permanent', async () => {
    fake.cueError('POST', MESSAGES, 403, 50001, 'Missing Access');
    expect(await failure(announcer.announce(samplePost(), target(), 'n-403'))).toMatchObject({
      kind: 'permanent',
      code: '50001',
    });
    fake.cueError('POST', MESSAGES, 403, 50013, 'Missing Permissions');
    expect(await failure(announcer.announce(samplePost(), target(), 'n-50013'))).toMatchObject({
      kind: 'permanent',
      code: '50013',
    });
    fake.cueError('POST', MESSAGES, 404, 10003, 'Unknown Channel');
    expect(await failure(announcer.announce(samplePost(), target(), 'n-404'))).toMatchObject({
      kind: 'permanent',
      code: '10003',
    });
  });

  it('maps a 429 to rate_limited with the Retry-After wait, without retrying itself', async () => {
    const channel = '700000000000000099';
    fake.cueRateLimit('POST', MESSAGES, 7);
    const before = fake.rest.find('POST', MESSAGES).length;
    const error = await failure(announcer.announce(samplePost(), target(channel), 'n-429'));
    expect(error.kind).toBe('rate_limited');
    // Retry-After: 7 (seconds) plus @discordjs/rest's 50 ms safety offset.
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(7_000);
    expect(error.retryAfterMs).toBeLessThan(8_000);
    expect(fake.rest.find('POST', MESSAGES).length).toBe(before + 1);
    // The queue's retry, through the same announcer, goes out and succeeds.
    await expect(announcer.announce(samplePost(), target(channel), 'n-429')).resolves.toMatchObject({
      messageId: expect.any(String),
    });
  });

  it('maps a 500 to transient after exactly one request (the queue owns retries)', async () => {
    fake.rest.cue('POST', MESSAGES, { status: 500, body: { message: 'oops', code: 0 } });
    const before = fake.rest.find('POST', MESSAGES).length;
    expect(await failure(announcer.announce(samplePost(), target(), 'n-500'))).toMatchObject({
      kind: 'transient',
      code: 'http_500',
    });
    expect(fake.rest.find('POST', MESSAGES).length).toBe(before + 1);
  });

  it('maps an unreachable API to transient', async () => {
    const closed = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: 'http://127.0.0.1:9/api' });
    expect(await failure(closed.announce(samplePost(), target(), 'n-net'))).toMatchObject({
      kind: 'transient',
    });
  });

  it('crossposts in announcement channels only, and already crossposted counts as done', async () => {
    fake.rest.channelTypes.set(NEWS, 5);
    fake.rest.channelTypes.set(CHANNEL, 0);
    const inNews = await announcer.announce(
      samplePost({ id: 'x1' }),
      target(NEWS, { crosspost: true }),
      'n-cross-1',
    );
    const inText = await announcer.announce(
      samplePost({ id: 'x2' }),
      target(CHANNEL, { crosspost: true }),
      'n-cross-2',
    );
    // The send alone: the delivery job crossposts as a step of its own once the send is recorded.
    const before = fake.rest.find('POST', /\/crosspost$/).length;
    expect(await announcer.crosspost(NEWS, inNews.messageId)).toBe(true);
    expect(await announcer.crosspost(NEWS, inNews.messageId)).toBe(true); // 40033: done
    expect(await announcer.crosspost(CHANNEL, inText.messageId)).toBe(false);
    const crossposts = fake.rest
      .find('POST', /\/crosspost$/)
      .slice(before)
      .map((r) => r.path);
    expect(crossposts).toEqual([
      `/channels/${NEWS}/messages/${inNews.messageId}/crosspost`,
      `/channels/${NEWS}/messages/${inNews.messageId}/crosspost`,
    ]);
    expect(fake.rest.messages.get(NEWS)?.find((m) => m.id === inNews.messageId)?.crossposted).toBe(true);
  });

  it('throws a refused crosspost as the client layer classified it', async () => {
    fake.rest.channelTypes.set(NEWS, 5);
    fake.cueError('POST', /\/crosspost$/, 403, 50013, 'Missing Permissions');
    const delivered = await announcer.announce(
      samplePost({ id: 'x4' }),
      target(NEWS, { crosspost: true }),
      'n-cross-4',
    );
    expect(await failure(announcer.crosspost(NEWS, delivered.messageId))).toMatchObject({
      kind: 'permanent',
      code: '50013',
    });
  });

  it('refuses a nonce longer than Discord allows', async () => {
    await expect(announcer.announce(samplePost(), target(), 'x'.repeat(26))).rejects.toThrow(RangeError);
  });
});
