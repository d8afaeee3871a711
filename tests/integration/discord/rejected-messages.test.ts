import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { samplePost } from '../../fakes/discord/posts.js';

// Issue 12 §4: Discord caps embed URLs; an over-long one got 400 50035, classified transient, and every
// channel retried it 8 times.
const CHANNEL = '700000000000000310';
const MESSAGES = /^\/channels\/\d+\/messages$/;
const target = { workspaceId: '700000000000000001', channelId: CHANNEL, options: {} };
let fake: FakeDiscord;
let announcer: DiscordAnnouncer;

beforeAll(async () => {
  fake = await FakeDiscord.start();
  announcer = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl });
});
afterAll(async () => {
  await fake.stop();
});

describe('messages Discord refuses as malformed', () => {
  it('announces a post whose URL and image are too long for an embed, without them', async () => {
    const long = `https://pyfound.blogspot.com/${'x'.repeat(3000)}`;
    await expect(
      announcer.announce(samplePost({ url: long, image: long }), target, 'n-long-url'),
    ).resolves.toMatchObject({ messageId: expect.any(String) });
    const sent = fake.rest.find('POST', MESSAGES).at(-1)?.body as { embeds: { url?: string }[] };
    expect(sent.embeds[0]?.url).toBeUndefined();
  });

  it('classifies 400 50035 (invalid form body) as rejected: fail this delivery, keep the channel', async () => {
    fake.cueError('POST', MESSAGES, 400, 50035, 'Invalid Form Body');
    const error = await announcer.announce(samplePost(), target, 'n-50035').then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ kind: 'rejected', code: '50035' });
  });
});
