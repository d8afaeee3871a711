import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import { postKey } from '../../../src/posts/identity.js';
import type { Post } from '../../../src/posts/post.js';
import { contentVersion } from '../../../src/posts/version.js';
import type { SubscriptionOptions } from '../../../src/subscriptions/subscription.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { IS_COMPONENTS_V2 } from '../../fakes/discord/validate.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;
type Component = { type: number; content?: string; components?: Component[] };
const GUILD = '700000000000000001';
const V2_CHANNEL = '700000000000000610';
const EMBED_CHANNEL = '700000000000000611';
const FORUM = '700000000000000619';
const TEMPLATE = 'New: {{title}} by {{author||feed}}';
const ref = (channelId: string) => ({ platform: 'discord' as const, workspaceId: GUILD, channelId });
const subscription = (i: number, channelId: string, options: SubscriptionOptions) =>
  makeSubscription(i, { platform: 'discord', workspaceId: GUILD, channelId, options });

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

const announcer = () => new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl });

/** Every TextDisplay's text of a Components V2 body. */
function shownTexts(components: unknown): string[] {
  const out: string[] = [];
  const visit = (component: Component) => {
    if (component.type === 10 && component.content) out.push(component.content);
    (component.components ?? []).forEach(visit);
  };
  ((components ?? []) as Component[]).forEach(visit);
  return out;
}

describe('announcement styles through the delivery queue (real discord.js, fake Discord)', () => {
  it('sends Components V2 with the template, records the look, and edits keep it after the style changes', async () => {
    const post: Post = makePost(0, { tags: ['Grants'] });
    const v2 = subscription(0, V2_CHANNEL, { style: 'components', template: TEMPLATE });
    const forum = subscription(2, FORUM, { style: 'components', forum: true });
    harness = await startHarness({
      prefix: uniquePrefix('discord-styles'),
      announcers: { discord: announcer() },
      posts: [post],
      subscriptions: [v2, subscription(1, EMBED_CHANNEL, { template: TEMPLATE }), forum],
    });
    const h = harness;
    const key = postKey(post.feed, post.id);
    await h.sink.enqueue([post]);
    await waitFor(async () => (await h.ledger.forPost(key)).length === 3 && (await h.idle()), 'sends');

    const sent = fake.rest.messages.get(V2_CHANNEL)![0]!;
    expect(sent.flags & IS_COMPONENTS_V2).toBe(IS_COMPONENTS_V2);
    expect(sent.content).toBe('');
    expect(shownTexts(sent.body.components)[0]).toBe(`New: ${post.title} by ${post.author ?? post.feed}`);
    expect(fake.rest.messages.get(EMBED_CHANNEL)![0]!.content).toBe(
      `New: ${post.title} by ${post.author ?? post.feed}`,
    );
    expect(await h.ledger.get(key, ref(V2_CHANNEL))).toMatchObject({
      style: 'components',
      template: TEMPLATE,
    });
    expect(await h.ledger.get(key, ref(EMBED_CHANNEL))).not.toHaveProperty('style');
    const forumEntry = await h.ledger.get(key, ref(FORUM));
    expect(forumEntry).toMatchObject({ style: 'components' });

    // The manager switches back to embeds and drops the template: later posts only. The post is corrected.
    await h.subscriptions.put({ ...v2, options: {} });
    await h.subscriptions.put({ ...forum, options: { forum: true } });
    const corrected = { ...post, title: 'Corrected title' };
    await h.posts.save([corrected]);
    await h.sink.enqueueEdits([{ post: corrected, version: contentVersion(corrected) }]);
    const edits = (channel: string) => fake.rest.edits.filter((edit) => edit.channelId === channel);
    await waitFor(
      async () =>
        edits(V2_CHANNEL).length === 1 && edits(forumEntry!.threadId!).length === 1 && (await h.idle()),
      'edits',
    );
    for (const channel of [V2_CHANNEL, forumEntry!.threadId!]) {
      const [edit] = edits(channel);
      expect(edit!.body.flags).toBe(IS_COMPONENTS_V2);
      expect(edit!.body).not.toHaveProperty('content');
      expect(edit!.body).not.toHaveProperty('embeds');
    }
    expect(shownTexts(edits(V2_CHANNEL)[0]!.body.components)).toContain('## Corrected title');
    expect(shownTexts(edits(V2_CHANNEL)[0]!.body.components)[0]).toBe(
      `New: Corrected title by ${post.author ?? post.feed}`,
    );
    expect(await h.ledger.get(key, ref(V2_CHANNEL))).toMatchObject({
      style: 'components',
      template: TEMPLATE,
      version: contentVersion(corrected),
    });
  });

  it('finds its own Components V2 message when it looks before a re-send (by the link button, or the heading)', async () => {
    const looking = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl, nonceTrustMs: 0 });
    const since = new Date(Date.now() - 1000);
    for (const [i, post] of [makePost(2), makePost(3, { url: null })].entries()) {
      const target = { workspaceId: GUILD, channelId: V2_CHANNEL, options: { style: 'components' as const } };
      const nonce = `styles-look-${i}`;
      const delivered = await looking.announce(post, target, nonce);
      const found = await looking.findEarlier(post, target, { nonce, since });
      expect(found).toEqual({ found: { messageId: delivered.messageId } });
    }
    const other = await looking.findEarlier(
      makePost(4),
      { workspaceId: GUILD, channelId: V2_CHANNEL, options: {} },
      {
        nonce: 'styles-look-x',
        since,
      },
    );
    expect(other).toEqual({ found: null });
  });

  it('is refused by Discord when an edit would turn a Components V2 message back into an embed', async () => {
    const post = makePost(1);
    const target = { workspaceId: GUILD, channelId: V2_CHANNEL, options: { style: 'components' as const } };
    const delivered = await announcer().announce(post, target, 'styles-refusal-1');
    const embedEdit = announcer().edit(post, { ...target, options: {} }, delivered);
    await expect(embedEdit).rejects.toBeInstanceOf(DeliveryError);
    await expect(embedEdit).rejects.toMatchObject({ code: '50035' });
    const message = fake.rest.messages.get(V2_CHANNEL)!.find((item) => item.id === delivered.messageId)!;
    expect(message.flags & IS_COMPONENTS_V2).toBe(IS_COMPONENTS_V2);
  });
});
