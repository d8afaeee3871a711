import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { holdSends } from '../../helpers/held-announcer.js';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { DeliveryError, type Announcer } from '../../../src/delivery/announcer.js';
import { postKey } from '../../../src/posts/identity.js';
import type { Post } from '../../../src/posts/post.js';
import { contentVersion } from '../../../src/posts/version.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;
const GUILD = '700000000000000001';
const channelId = (i: number) => String(700_000_000_000_000_400n + BigInt(i));
const FORUM = '700000000000000499';
const subscription = (i: number, options = {}) =>
  makeSubscription(i, { platform: 'discord', workspaceId: GUILD, channelId: channelId(i), options });
const ref = (channel: string) => ({ platform: 'discord' as const, workspaceId: GUILD, channelId: channel });

let fake: FakeDiscord;
let harness: Harness | undefined;
beforeAll(async () => {
  fake = await FakeDiscord.start();
  fake.rest.threads.addForum(FORUM, ['Grants']);
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(async () => {
  await fake.stop();
});

async function start(
  post: Post,
  subscriptions: ReturnType<typeof subscription>[],
  announcer: Announcer = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl }),
): Promise<Harness> {
  harness = await startHarness({
    prefix: uniquePrefix('discord-edits'),
    announcers: { discord: announcer },
    posts: [post],
    subscriptions,
  });
  return harness;
}

/** The post changed in the store (as a poll saves it), and its edit queued (as the poll queues it). */
async function change(h: Harness, post: Post): Promise<void> {
  await h.posts.save([post]);
  await h.sink.enqueueEdits([{ post, version: contentVersion(post) }]);
}

const editsOf = (channel: string) => fake.rest.edits.filter((edit) => edit.channelId === channel);

describe('edits of announced posts through the delivery queue', () => {
  it('edits each announcement once per change, in place, forum posts in their thread, and creates no message', async () => {
    const post = makePost(0, { tags: ['Grants'] });
    const forumSub = makeSubscription(9, {
      platform: 'discord',
      workspaceId: GUILD,
      channelId: FORUM,
      options: { forum: true },
    });
    const h = await start(post, [subscription(0), subscription(1), forumSub]);
    await h.sink.enqueue([post]);
    await waitFor(
      async () => (await h.ledger.forPost(postKey(post.feed, post.id))).length === 3 && (await h.idle()),
      'sends',
    );
    const created = fake.rest.find('POST', /\/(messages|threads)$/).length;

    const corrected = { ...post, title: 'Corrected title' };
    await change(h, corrected);
    await h.sink.enqueueEdits([{ post: corrected, version: contentVersion(corrected) }]); // a re-poll queues it again
    await waitFor(async () => editsOf(channelId(1)).length === 1 && (await h.idle()), 'edits');

    expect(editsOf(channelId(0))).toHaveLength(1);
    expect(editsOf(channelId(1))).toHaveLength(1);
    const forumEntry = await h.ledger.get(postKey(post.feed, post.id), ref(FORUM));
    expect(fake.rest.edits.filter((edit) => edit.channelId === forumEntry?.threadId)).toHaveLength(1);
    expect(fake.rest.find('POST', /\/(messages|threads)$/).length).toBe(created);
    const shown = fake.rest.messages.get(channelId(0))![0]!.embeds[0] as { title: string };
    expect(shown.title).toBe('Corrected title');
    expect((await h.ledger.get(postKey(post.feed, post.id), ref(channelId(0))))?.version).toBe(
      contentVersion(corrected),
    );
  });

  it('converges on the last of two quick edits and makes no edit for a version already shown', async () => {
    const post = makePost(1);
    const h = await start(post, [subscription(2)]);
    await h.sink.enqueue([post]);
    await waitFor(
      async () => (fake.rest.messages.get(channelId(2))?.length ?? 0) === 1 && (await h.idle()),
      'send',
    );
    const first = { ...post, summary: 'First correction.' };
    const second = { ...post, summary: 'Second correction.' };
    await h.posts.save([first]);
    await h.posts.save([second]);
    await h.sink.enqueueEdits([
      { post: first, version: contentVersion(first) },
      { post: second, version: contentVersion(second) },
    ]);
    await waitFor(() => h.idle(), 'edits');
    // Both jobs render the stored (newest) post: the first edits, the second finds the message current.
    expect(editsOf(channelId(2))).toHaveLength(1);
    const shown = fake.rest.messages.get(channelId(2))![0]!.embeds[0] as { description: string };
    expect(shown.description).toContain('Second correction.');
    expect(fake.rest.messages.get(channelId(2))).toHaveLength(1);
  });

  it('edits again each time a post changes back and forth (v1 → v2 → v1 → v2)', async () => {
    const post = makePost(3);
    const h = await start(post, [subscription(4)]);
    await h.sink.enqueue([post]);
    await waitFor(
      async () => (fake.rest.messages.get(channelId(4))?.length ?? 0) === 1 && (await h.idle()),
      'send',
    );
    const changed = { ...post, title: 'Changed title' };
    const shown = () => (fake.rest.messages.get(channelId(4))![0]!.embeds[0] as { title: string }).title;
    for (const [i, version] of [changed, post, changed].entries()) {
      await change(h, version);
      await waitFor(async () => editsOf(channelId(4)).length === i + 1 && (await h.idle()), `edit ${i + 1}`);
      expect(shown()).toBe(version.title);
    }
    expect((await h.ledger.get(postKey(post.feed, post.id), ref(channelId(4))))?.version).toBe(
      contentVersion(changed),
    );
  });

  it('edits a message whose send recorded an older version than the post’s current one', async () => {
    // The real announcer, whose first send is held in flight until the test lets it go.
    const held = holdSends(new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl }));
    const post = makePost(4);
    const h = await start(post, [subscription(5)], held.announcer);
    await h.sink.enqueue([post]);
    await waitFor(() => held.sending() === 1, 'send in flight');
    // The post changes while its send is in flight: the edit fan-out finds no ledger entry for the channel.
    const changed = { ...post, title: 'Changed while sending' };
    await change(h, changed);
    await waitFor(async () => (await h.announceQueue.getCompletedCount()) === 2, 'edit fanned out');
    held.open();
    await waitFor(async () => editsOf(channelId(5)).length === 1 && (await h.idle()), 'own edit');
    const shown = fake.rest.messages.get(channelId(5))![0]!.embeds[0] as { title: string };
    expect(shown.title).toBe('Changed while sending');
    expect((await h.ledger.get(postKey(post.feed, post.id), ref(channelId(5))))?.version).toBe(
      contentVersion(changed),
    );
  });

  it('edits the message an earlier attempt posted when the post changed before its retry (random chaos seeds 112, 796)', async () => {
    // The first send reaches Discord but its answer is lost. The post changes; the edit fan-out finds no ledger
    // entry for the channel. The retry gets the first message back for the same nonce: it shows the old post,
    // so the ledger must not call it current.
    const real = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl });
    let attempts = 0;
    const post = makePost(5);
    const changed = { ...post, title: 'Changed before the retry' };
    const running: { h?: Harness } = {};
    const lossy: Announcer = {
      platform: 'discord',
      announce: async (post, target, nonce) => {
        attempts += 1;
        const delivered = await real.announce(post, target, nonce);
        if (attempts > 1) return delivered;
        const h = running.h!;
        await change(h, changed);
        await waitFor(async () => (await h.announceQueue.getCompletedCount()) === 2, 'edit fanned out');
        throw DeliveryError.transient('network', 'the answer was lost');
      },
      edit: (post, target, delivered) => real.edit(post, target, delivered),
    };
    const h = await start(post, [subscription(6)], lossy);
    running.h = h;
    await h.sink.enqueue([post]);
    await waitFor(
      async () => attempts === 2 && editsOf(channelId(6)).length === 1 && (await h.idle()),
      'retry',
    );
    expect(fake.rest.messages.get(channelId(6))).toHaveLength(1);
    const shown = fake.rest.messages.get(channelId(6))![0]!.embeds[0] as { title: string };
    expect(shown.title).toBe('Changed before the retry');
    expect((await h.ledger.get(postKey(post.feed, post.id), ref(channelId(6))))?.version).toBe(
      contentVersion(changed),
    );
  });

  it('edits nothing where the post was never announced', async () => {
    const post = makePost(2);
    const h = await start(post, [subscription(3)]);
    const changed = { ...post, title: 'New' };
    await change(h, changed);
    await waitFor(() => h.idle(), 'idle');
    expect(editsOf(channelId(3))).toHaveLength(0);
    expect(fake.rest.messages.get(channelId(3))).toBeUndefined();
  });
});
