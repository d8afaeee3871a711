import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { deliveryNonce } from '../../../jobs/queues.js';
import { postKey } from '../../../src/posts/identity.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;
const GUILD = '700000000000000001';
const channelId = (i: number) => String(700_000_000_000_000_200n + BigInt(i));
const subscription = (i: number) =>
  makeSubscription(i, { platform: 'discord', workspaceId: GUILD, channelId: channelId(i) });
const ref = (i: number) => ({ platform: 'discord' as const, workspaceId: GUILD, channelId: channelId(i) });
const MESSAGES = /^\/channels\/\d+\/messages$/;

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

async function start(posts = [makePost(0)], subscriptions = [subscription(0)]): Promise<Harness> {
  const announcer = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl });
  harness = await startHarness({
    prefix: uniquePrefix('discord-e2e'),
    announcers: { discord: announcer },
    posts,
    subscriptions,
  });
  return harness;
}

const postsTo = (i: number) =>
  fake.rest.find('POST', MESSAGES).filter((r) => r.path === `/channels/${channelId(i)}/messages`);

describe('announcements through the delivery queue to the fake Discord', () => {
  it('reaches a subscribed channel once, with its deterministic nonce, even when queued twice', async () => {
    const post = makePost(0, { summary: 'Hello @everyone.' });
    const h = await start([post], [subscription(0)]);
    await h.sink.enqueue([post]);
    await waitFor(
      async () => (fake.rest.messages.get(channelId(0))?.length ?? 0) >= 1 && (await h.idle()),
      'delivery',
    );
    await h.sink.enqueue([post]);
    await waitFor(() => h.idle(), 'idle');
    expect(fake.rest.messages.get(channelId(0))).toHaveLength(1);
    expect(postsTo(0)).toHaveLength(1);
    expect(postsTo(0)[0]?.body).toMatchObject({
      nonce: deliveryNonce(post, ref(0)),
      enforce_nonce: true,
      allowed_mentions: { parse: [] },
    });
    const recorded = await h.ledger.get(postKey(post.feed, post.id), ref(0));
    expect(recorded?.messageId).toBe(fake.rest.messages.get(channelId(0))?.[0]?.id);
  });

  it('disables the subscription on 403 Missing Access and keeps delivering elsewhere', async () => {
    fake.cueError('POST', new RegExp(`^/channels/${channelId(1)}/messages$`), 403, 50001, 'Missing Access');
    const post = makePost(1);
    const h = await start([post], [subscription(1), subscription(2)]);
    await h.sink.enqueue([post]);
    await waitFor(
      async () => (await h.subscriptions.get(ref(1)))?.disabledReason != null && (await h.idle()),
      'disable',
    );
    expect((await h.subscriptions.get(ref(1)))?.disabledReason).toMatch(/^50001: 403/);
    expect((await h.subscriptions.get(ref(2)))?.disabledReason).toBeNull();
    expect(postsTo(1)).toHaveLength(1);
    expect(fake.rest.messages.get(channelId(2))).toHaveLength(1);
  });

  it('waits out a 429 for its Retry-After, then delivers', async () => {
    fake.cueRateLimit('POST', new RegExp(`^/channels/${channelId(3)}/messages$`), 1);
    const post = makePost(2);
    const h = await start([post], [subscription(3)]);
    await h.sink.enqueue([post]);
    await waitFor(
      async () => (fake.rest.messages.get(channelId(3))?.length ?? 0) >= 1 && (await h.idle()),
      'delivery after 429',
    );
    const [limited, accepted] = postsTo(3);
    expect(postsTo(3)).toHaveLength(2);
    expect(accepted!.at - limited!.at).toBeGreaterThanOrEqual(1_000);
    expect(h.counters.snapshot().discord).toMatchObject({ delivered: 1, rate_limited: 1, failed: 0 });
  });
});
