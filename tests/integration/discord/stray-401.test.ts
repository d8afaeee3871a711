import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { postKey } from '../../../src/posts/identity.js';
import { contentVersion } from '../../../src/posts/version.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';

// Issue 18, Why 1: one 401 (a proxy hiccup) on the first PATCH of an edit. discord.js then cleared its token,
// and 0 of 10 edits landed and a post published after it reached 0 of 10 channels, until a restart.
type Harness = Awaited<ReturnType<typeof startHarness>>;
const GUILD = '700000000000000001';
const CHANNELS = [...Array(10).keys()].map((i) => String(740_000_000_000_000_000n + BigInt(i)));
const subscriptions = CHANNELS.map((channelId, i) =>
  makeSubscription(i, { platform: 'discord', workspaceId: GUILD, channelId }),
);

let fake: FakeDiscord;
let harness: Harness | undefined;
beforeAll(async () => {
  fake = await FakeDiscord.start();
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(async () => {
  await fake.stop();
});

describe('a stray 401 from Discord', () => {
  it('costs one retry: every edit and the next post still land in all ten channels', async () => {
    const post = makePost(0);
    const h = (harness = await startHarness({
      prefix: uniquePrefix('discord-stray-401'),
      announcers: { discord: new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl }) },
      posts: [post],
      subscriptions,
    }));
    await h.sink.enqueue([post]);
    await waitFor(
      async () => (await h.ledger.forPost(postKey(post.feed, post.id))).length === 10 && (await h.idle()),
      'first sends',
    );

    const invalidBefore = fake.rest.invalidCount();
    fake.rest.cue('PATCH', /^\/channels\/\d+\/messages\/\d+$/, {
      status: 401,
      body: { code: 0, message: '401: Unauthorized' },
    });
    const corrected = { ...post, title: 'Corrected title' };
    await h.posts.save([corrected]);
    await h.sink.enqueueEdits([{ post: corrected, version: contentVersion(corrected) }]);
    const shown = (channelId: string) =>
      (fake.rest.messages.get(channelId)?.[0]?.embeds[0] as { title?: string } | undefined)?.title;
    await waitFor(
      async () => CHANNELS.every((channelId) => shown(channelId) === 'Corrected title') && (await h.idle()),
      'edits after the 401',
    );
    expect(fake.rest.invalidCount() - invalidBefore).toBe(1);

    const next = makePost(1);
    await h.posts.save([next]);
    await h.sink.enqueue([next]);
    await waitFor(
      async () => (await h.ledger.forPost(postKey(next.feed, next.id))).length === 10 && (await h.idle()),
      'the next post',
    );
    for (const channelId of CHANNELS) expect(fake.rest.messages.get(channelId)).toHaveLength(2);
    expect(fake.rest.find('PATCH', /^\/channels\/\d+\/messages\/\d+$/)).toHaveLength(11);
  });
});
