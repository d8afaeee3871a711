import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import type { Announcer } from '../../../src/delivery/announcer.js';
import { holdSends } from '../../helpers/held-announcer.js';
import { hubRef } from '../../../src/delivery/hub-ref.js';
import { deliveryStatusNotes, hubNotes } from '../../../jobs/delivery/safety.js';
import { postKey } from '../../../src/posts/identity.js';
import { contentVersion } from '../../../src/posts/version.js';
import type { Post } from '../../../src/posts/post.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;
const GUILD = '710000000000000001';
const FOLLOWER_GUILD = '710000000000000002';
let next = 0n;
/** A fresh channel id per use: the fake is shared by every test of the file. */
const freshId = () => String(710_000_000_000_000_100n + next++);

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

/** An announcement channel (type 5) in the operator's server, or another type. */
function hubChannel(type = 5): string {
  const id = freshId();
  fake.rest.guilds.add(GUILD, [id], type);
  return id;
}

/** Channels of another server that follow the hub (what `/psf follow` makes Discord create). */
function follow(hubId: string, count: number): string[] {
  const ids = Array.from({ length: count }, () => freshId());
  fake.rest.guilds.add(FOLLOWER_GUILD, ids, 0);
  fake.rest.followers.set(
    hubId,
    new Map(
      ids.map((id, i) => [
        id,
        { webhookId: String(720_000_000_000_000_000n + BigInt(i)), guildId: FOLLOWER_GUILD },
      ]),
    ),
  );
  return ids;
}

async function start(
  hubId: string,
  posts: Post[],
  subscriptions = [] as ReturnType<typeof makeSubscription>[],
  attempts = 5,
  announcer: Announcer = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl }),
) {
  harness = await startHarness({
    prefix: uniquePrefix('hub'),
    announcers: { discord: announcer },
    posts,
    subscriptions,
    hubs: [{ feed: 'psf', channelId: hubId }],
    backoffMs: 50,
    attempts,
  });
  return harness;
}

/** The title a stored message's embed shows. */
const titleOf = (message: { embeds: unknown[] } | undefined) =>
  (message?.embeds[0] as { title?: string } | undefined)?.title;
const sendsTo = (id: string) => fake.rest.find('POST', new RegExp(`^/channels/${id}/messages$`));
const crosspostsIn = (id: string) =>
  fake.rest.find('POST', new RegExp(`^/channels/${id}/messages/\\d+/crosspost$`));
const published = (h: Harness, hubId: string, post: Post) =>
  h.ledger.get(postKey(post.feed, post.id), hubRef(hubId)).then((entry) => Boolean(entry?.crosspostedAt));

describe('hub channels: every post of the feed, posted and published once', () => {
  it('posts once, publishes once, and Discord copies the message to every following channel', async () => {
    const hub = hubChannel();
    const followers = follow(hub, 3);
    const post = makePost(1);
    const h = await start(hub, [post]);
    await h.sink.enqueue([post]);
    await waitFor(async () => (await published(h, hub, post)) && (await h.idle()), 'published');
    await h.sink.enqueue([post]);
    await waitFor(() => h.idle(), 'idle');

    expect(sendsTo(hub)).toHaveLength(1);
    expect(crosspostsIn(hub)).toHaveLength(1);
    expect(fake.rest.crossposts.counts.get(hub)).toBe(1);
    const original = fake.rest.messages.get(hub)?.[0];
    expect(original?.crossposted).toBe(true);
    for (const id of followers) {
      const copies = fake.rest.messages.get(id) ?? [];
      expect(copies).toHaveLength(1);
      expect(copies[0]?.webhook_id).toBeDefined();
      expect(copies[0]?.flags).toBe(2);
      expect(copies[0]?.message_reference).toMatchObject({ channel_id: hub, message_id: original?.id });
    }
    // The bot itself never wrote to a follower.
    for (const id of followers) expect(sendsTo(id)).toHaveLength(0);
  });

  it.each([
    ['a 500', { status: 500, body: { code: 0, message: 'Internal Server Error' } }],
    [
      'a 429 with Retry-After',
      {
        status: 429,
        headers: { 'retry-after': '1', 'x-ratelimit-scope': 'user' },
        body: { message: 'You are being rate limited.', retry_after: 1, global: false },
      },
    ],
    ['a lost answer (published, the answer never came)', { status: 200, lose: true }],
    [
      '40033 (already crossposted)',
      { status: 400, body: { code: 40033, message: 'This message has already been crossposted.' } },
    ],
  ])('finishes the publish after %s without sending the message again', async (_name, answer) => {
    const hub = hubChannel();
    const [follower] = follow(hub, 1);
    fake.rest.cue('POST', new RegExp(`^/channels/${hub}/messages/\\d+/crosspost$`), answer, 2);
    const post = makePost(2);
    const h = await start(hub, [post]);
    await h.sink.enqueue([post]);
    await waitFor(async () => (await published(h, hub, post)) && (await h.idle()), 'published');

    expect(sendsTo(hub)).toHaveLength(1);
    const accepted = fake.rest.crossposts.counts.get(hub) ?? 0;
    if (answer.status === 400) {
      // The cue answered for Discord: every ask was refused as already done, so none reached the fake.
      expect(crosspostsIn(hub)).toHaveLength(1);
      expect(accepted).toBe(0);
    } else {
      expect(crosspostsIn(hub).length).toBeGreaterThanOrEqual(2);
      expect(accepted).toBe(1);
      expect(fake.rest.messages.get(follower!)).toHaveLength(1);
    }
  });

  it('says when a publish failed every attempt, and a retry of the job publishes without sending again', async () => {
    const hub = hubChannel();
    const crosspost = new RegExp(`^/channels/${hub}/messages/\\d+/crosspost$`);
    fake.rest.cue('POST', crosspost, { status: 502, body: { code: 0, message: 'Bad Gateway' } }, 2);
    const post = makePost(5);
    const h = await start(hub, [post], [], 2);
    await h.sink.enqueue([post]);
    const deliver = h.deliverQueues.discord!;
    await waitFor(async () => (await deliver.getFailedCount()) === 1 && (await h.idle()), 'failed');
    expect(sendsTo(hub)).toHaveLength(1);
    const [note] = await hubNotes(h.safety.hubs);
    expect(note?.text).toMatch(
      /1 post posted but not published to its followers .*`psf-bot deliveries retry` finishes them/,
    );

    const [failed] = await deliver.getFailed();
    await failed!.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    await waitFor(async () => (await published(h, hub, post)) && (await h.idle()), 'published');
    expect(sendsTo(hub)).toHaveLength(1);
    expect(fake.rest.crossposts.counts.get(hub)).toBe(1);
    expect(await hubNotes(h.safety.hubs)).toEqual([]);
  });

  it("an edit that waited while the publish went out keeps the publish recorded (and the publish keeps the edit's version)", async () => {
    const hub = hubChannel();
    const [follower] = follow(hub, 1);
    const crosspost = new RegExp(`^/channels/${hub}/messages/\\d+/crosspost$`);
    fake.rest.cue('POST', crosspost, { status: 502, body: { code: 0, message: 'Bad Gateway' } }, 2);
    const real = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl });
    let letEditGo = () => {};
    const editGate = new Promise<void>((resolve) => (letEditGo = resolve));
    let editing = 0;
    // The real announcer, whose edit is held until the publish has been recorded.
    const announcer: Announcer = {
      platform: 'discord',
      announce: (post, target, nonce) => real.announce(post, target, nonce),
      edit: async (post, target, delivered) => {
        editing += 1;
        await editGate;
        return real.edit(post, target, delivered);
      },
      checkHub: (id) => real.checkHub(id),
      publish: (id, messageId) => real.publish(id, messageId),
    };
    const post = makePost(10);
    const h = await start(hub, [post], [], 2, announcer);
    await h.sink.enqueue([post]);
    const deliver = h.deliverQueues.discord!;
    await waitFor(async () => (await deliver.getFailedCount()) === 1, 'publish failed');

    const corrected = { ...post, title: `${post.title} (corrected)` };
    await h.posts.save([corrected]);
    await h.sink.enqueueEdits([{ post: corrected, version: contentVersion(corrected) }]);
    await waitFor(() => editing === 1, 'edit in flight');
    const [failed] = await deliver.getFailed();
    await failed!.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    await waitFor(() => published(h, hub, post), 'published');
    letEditGo();
    // (The publish's own stale check queued an edit as well, which waits for the edit slot of a published message.)
    const version = async () => (await h.ledger.get(postKey(post.feed, post.id), hubRef(hub)))?.version;
    await waitFor(async () => (await version()) === contentVersion(corrected), 'edited');

    const entry = await h.ledger.get(postKey(post.feed, post.id), hubRef(hub));
    expect(entry?.crosspostedAt).toBeDefined();
    expect(entry?.version).toBe(contentVersion(corrected));
    expect(titleOf(fake.rest.messages.get(follower!)?.[0])).toBe(corrected.title);
    expect(fake.rest.crossposts.counts.get(hub)).toBe(1);
  });

  it('skips the publish of a hub message deleted before it (10008): no retries, no re-send, no note', async () => {
    const hub = hubChannel();
    const crosspost = new RegExp(`^/channels/${hub}/messages/\\d+/crosspost$`);
    fake.cueError('POST', crosspost, 404, 10008, 'Unknown Message');
    const post = makePost(11);
    const h = await start(hub, [post], [], 3);
    await h.sink.enqueue([post]);
    const deliver = h.deliverQueues.discord!;
    await waitFor(async () => (await deliver.getCompletedCount()) === 1 && (await h.idle()), 'done');
    const [done] = await deliver.getCompleted();
    expect(done?.returnvalue).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/deleted/) });
    expect(done?.attemptsMade).toBeLessThanOrEqual(1);
    expect(crosspostsIn(hub)).toHaveLength(1);
    expect(sendsTo(hub)).toHaveLength(1);
    expect(await hubNotes(h.safety.hubs)).toEqual([]);
  });

  it('a publish retried after its slot left the hour waits for a free one, never over 10 an hour', async () => {
    const hub = hubChannel();
    const crosspost = new RegExp(`^/channels/${hub}/messages/\\d+/crosspost$`);
    fake.rest.cue('POST', crosspost, { status: 502, body: { code: 0, message: 'Bad Gateway' } }, 2);
    const post = makePost(9);
    const h = await start(hub, [post], [], 2);
    await h.sink.enqueue([post]);
    const deliver = h.deliverQueues.discord!;
    await waitFor(async () => (await deliver.getFailedCount()) === 1 && (await h.idle()), 'failed');
    // An hour later: the post's slot has left the window, and 10 other posts took the hour's slots.
    await h.redis.zrem(`${h.prefix}:hub-slots:${hub}`, postKey(post.feed, post.id));
    for (let i = 0; i < 10; i++) await h.safety.hubs.take(hub, `other-${i}`, new Date());

    const [failed] = await deliver.getFailed();
    await failed!.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    await waitFor(async () => (await deliver.getDelayedCount()) === 1, 'waiting for a slot');
    expect(fake.rest.crossposts.counts.get(hub)).toBeUndefined();
    expect(await published(h, hub, post)).toBe(false);
    expect(sendsTo(hub)).toHaveLength(1);
  });

  it('publishes 10 posts in the hour and keeps the other 2 waiting; status says the hub is behind', async () => {
    const hub = hubChannel();
    const posts = Array.from({ length: 12 }, (_, i) => makePost(100 + i));
    const h = await start(hub, posts);
    await h.sink.enqueue(posts);
    const deliver = h.deliverQueues.discord!;
    await waitFor(
      async () => fake.rest.crossposts.counts.get(hub) === 10 && (await deliver.getDelayedCount()) === 2,
      '10 published, 2 delayed',
    );
    expect(sendsTo(hub)).toHaveLength(10);
    expect(await deliver.getFailedCount()).toBe(0);
    const notes = await hubNotes(h.safety.hubs);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.tenant).toEqual({ platform: 'discord', workspaceId: GUILD });
    expect(notes[0]?.text).toMatch(new RegExp(`Hub channel ${hub} \\(feed psf\\) is behind: 2 posts wait`));
    expect(notes[0]?.text).toMatch(/10 published in the last hour/);
    expect(notes[0]?.text).toMatch(/the next can go out in (59|60) minutes/);
    const all = await deliveryStatusNotes(h.safety, ['discord']);
    expect(all.map((note) => note.text)).toContain(notes[0]?.text);
    // A running bot's chat status names only the hubs it runs: one taken out of its configuration keeps its last
    // note in Redis, which no job clears any more.
    const running = await deliveryStatusNotes(h.safety, ['discord'], undefined, [hub]);
    expect(running.map((note) => note.text)).toContain(notes[0]?.text);
    const removed = await deliveryStatusNotes(h.safety, ['discord'], undefined, ['710000000000009999']);
    expect(removed.map((note) => note.text)).not.toContain(notes[0]?.text);
  });

  it('refuses a hub that is a text channel: nothing is sent, the job fails, and status says why', async () => {
    const hub = hubChannel(0);
    const post = makePost(3);
    const h = await start(hub, [post]);
    await h.sink.enqueue([post]);
    const deliver = h.deliverQueues.discord!;
    await waitFor(async () => (await deliver.getFailedCount()) === 1 && (await h.idle()), 'refused');
    expect(sendsTo(hub)).toHaveLength(0);
    const [failed] = await deliver.getFailed();
    expect(failed?.failedReason).toMatch(/not an announcement channel \(type 0\)/);
    expect(failed?.attemptsMade).toBe(1);
    const notes = await hubNotes(h.safety.hubs);
    expect(notes[0]?.text).toMatch(
      new RegExp(
        `Hub channel ${hub} \\(feed psf\\): nothing is posted there: it is not an announcement channel`,
      ),
    );
  });

  it('fails a send the hub refuses (403 50013) without disabling anything, says so, and clears it once published', async () => {
    const hub = hubChannel();
    // Discord's message is quoted in the note, so a long one is cut.
    const message = `Missing Permissions ${'x'.repeat(2_000)}`;
    fake.cueError('POST', new RegExp(`^/channels/${hub}/messages$`), 403, 50013, message);
    const post = makePost(6);
    const h = await start(hub, [post]);
    await h.sink.enqueue([post]);
    const deliver = h.deliverQueues.discord!;
    await waitFor(async () => (await deliver.getFailedCount()) === 1 && (await h.idle()), 'refused');
    const [note] = await hubNotes(h.safety.hubs);
    expect(note?.text).toMatch(/nothing is posted there: Discord refused the message: 50013/);
    expect(note?.text.length).toBeLessThan(500);
    // Still the hub server's note: its managers see it in status, as they saw the hub's backlog.
    expect(note?.tenant).toEqual({ platform: 'discord', workspaceId: GUILD });
    expect(await h.safety.guard.trips('discord')).toEqual([]);
    expect(await h.subscriptions.list()).toEqual([]);

    const [failed] = await deliver.getFailed();
    await failed!.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    await waitFor(async () => (await published(h, hub, post)) && (await h.idle()), 'published');
    expect(await hubNotes(h.safety.hubs)).toEqual([]);
  });

  it('edits a hub message in place when its post changes, and publishes nothing again', async () => {
    const hub = hubChannel();
    const [follower] = follow(hub, 1);
    const post = makePost(7);
    const h = await start(hub, [post]);
    await h.sink.enqueue([post]);
    await waitFor(async () => (await published(h, hub, post)) && (await h.idle()), 'published');
    const corrected = { ...post, title: `${post.title} (corrected)` };
    await h.posts.save([corrected]);
    await h.sink.enqueueEdits([{ post: corrected, version: contentVersion(corrected) }]);
    await waitFor(
      async () => fake.rest.edits.some((edit) => edit.channelId === hub) && (await h.idle()),
      'edited',
    );
    expect(fake.rest.edits.filter((edit) => edit.channelId === hub)).toHaveLength(1);
    expect(sendsTo(hub)).toHaveLength(1);
    expect(crosspostsIn(hub)).toHaveLength(1);
    // Discord copies the edit of a published message to its copy in each following channel.
    const copies = fake.rest.messages.get(follower!) ?? [];
    expect(copies).toHaveLength(1);
    expect(titleOf(copies[0])).toBe(corrected.title);
    expect(sendsTo(follower!)).toHaveLength(0);
  });

  it('edits a hub message whose send showed an older version than the post, and the edit reaches followers', async () => {
    const hub = hubChannel();
    const [follower] = follow(hub, 1);
    // The real announcer, whose send is held in flight until the post has changed.
    const held = holdSends(new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl }));
    const post = makePost(8);
    const h = await start(hub, [post], [], 5, held.announcer);
    await h.sink.enqueue([post]);
    await waitFor(() => held.sending() === 1, 'send in flight');
    const corrected = { ...post, title: `${post.title} (changed while sending)` };
    await h.posts.save([corrected]);
    await h.sink.enqueueEdits([{ post: corrected, version: contentVersion(corrected) }]);
    await waitFor(async () => (await h.announceQueue.getCompletedCount()) === 2, 'edit fanned out');
    held.open();
    await waitFor(
      async () => fake.rest.edits.some((edit) => edit.channelId === hub) && (await h.idle()),
      'own edit',
    );
    expect(sendsTo(hub)).toHaveLength(1);
    expect(crosspostsIn(hub)).toHaveLength(1);
    expect(titleOf(fake.rest.messages.get(hub)?.[0])).toBe(corrected.title);
    expect(titleOf(fake.rest.messages.get(follower!)?.[0])).toBe(corrected.title);
    const entry = await h.ledger.get(postKey(post.feed, post.id), hubRef(hub));
    expect(entry?.version).toBe(contentVersion(corrected));
    expect(entry?.crosspostedAt).toBeDefined();
  });

  it('delivers once to a hub channel that is also subscribed to the same feed', async () => {
    const hub = hubChannel();
    const post = makePost(4);
    const sub = makeSubscription(0, {
      platform: 'discord',
      workspaceId: GUILD,
      channelId: hub,
      feeds: ['psf'],
    });
    const h = await start(hub, [post], [sub]);
    await h.sink.enqueue([post]);
    await waitFor(async () => (await published(h, hub, post)) && (await h.idle()), 'published');
    expect(sendsTo(hub)).toHaveLength(1);
    expect(crosspostsIn(hub)).toHaveLength(1);
    expect(
      await h.ledger.get(postKey(post.feed, post.id), {
        platform: 'discord',
        workspaceId: GUILD,
        channelId: hub,
      }),
    ).toBeNull();
  });
});

describe('the fake Discord publishes as Discord does', () => {
  const announcer = () => new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl });
  const send = async (channelId: string) =>
    (
      await announcer().announce(
        makePost(9),
        { workspaceId: GUILD, channelId, options: {} },
        `n${freshId()}`.slice(0, 25),
      )
    ).messageId;

  it('answers 429 with Retry-After past 10 publishes an hour in one channel', async () => {
    const hub = hubChannel();
    const ids = [];
    for (let i = 0; i < 11; i++) ids.push(await send(hub));
    for (const id of ids.slice(0, 10)) await announcer().publish(hub, id);
    await expect(announcer().publish(hub, ids[10]!)).rejects.toMatchObject({ kind: 'rate_limited' });
    const answer = fake.rest.find('POST', /crosspost$/).at(-1);
    expect(answer?.path).toContain(ids[10]!);
    expect(fake.rest.crossposts.counts.get(hub)).toBe(10);
  });

  it('refuses a publish in a text channel with 50024', async () => {
    const text = hubChannel(0);
    const id = await send(text);
    await expect(announcer().publish(text, id)).rejects.toMatchObject({ code: '50024' });
    expect(fake.rest.crossposts.counts.get(text)).toBeUndefined();
  });
});
