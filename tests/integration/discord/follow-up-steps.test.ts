import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { postKey } from '../../../src/posts/identity.js';
import type { Post } from '../../../src/posts/post.js';
import type { SubscriptionOptions } from '../../../src/subscriptions/subscription.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import type { CuedResponse } from '../../fakes/discord/wire.js';

// An ordinary subscription's crosspost and thread are steps of the delivery: recorded in the ledger once done,
// retried with the job, never by sending the message again.

type Harness = Awaited<ReturnType<typeof startHarness>>;
const GUILD = '730000000000000001';
let next = 0n;
const freshId = () => String(730_000_000_000_000_100n + next++);

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

/** A fresh channel of the server: an announcement channel (type 5) unless told. */
function channel(type = 5): string {
  const id = freshId();
  fake.rest.guilds.add(GUILD, [id], type);
  return id;
}

async function start(
  channelId: string,
  post: Post,
  options: SubscriptionOptions,
  nonceTrustMs?: number,
  attempts = 5,
) {
  const announcer = new DiscordAnnouncer({
    token: FAKE_TOKEN,
    apiUrl: fake.apiUrl,
    ...(nonceTrustMs === undefined ? {} : { nonceTrustMs }),
  });
  const sub = makeSubscription(0, {
    platform: 'discord',
    workspaceId: GUILD,
    channelId,
    feeds: [post.feed],
    options,
  });
  harness = await startHarness({
    prefix: uniquePrefix('follow-ups'),
    announcers: { discord: announcer },
    posts: [post],
    subscriptions: [sub],
    backoffMs: 50,
    attempts,
  });
  await harness.sink.enqueue([post]);
  return harness;
}

const ref = (channelId: string) => ({ platform: 'discord' as const, workspaceId: GUILD, channelId });
const entryOf = (h: Harness, channelId: string, post: Post) =>
  h.ledger.get(postKey(post.feed, post.id), ref(channelId));
const sendsTo = (id: string) => fake.rest.find('POST', new RegExp(`^/channels/${id}/messages$`));
const crosspostPath = (id: string) => new RegExp(`^/channels/${id}/messages/\\d+/crosspost$`);
const threadPath = (id: string) => new RegExp(`^/channels/${id}/messages/\\d+/threads$`);

async function settled(h: Harness, channelId: string, post: Post, done: 'crosspostedAt' | 'threadedAt') {
  await waitFor(async () => Boolean((await entryOf(h, channelId, post))?.[done]) && (await h.idle()), done);
}

const RATE_LIMITED: CuedResponse = {
  status: 429,
  headers: { 'retry-after': '1', 'x-ratelimit-scope': 'user' },
  body: { message: 'You are being rate limited.', retry_after: 1, global: false },
};

describe("a subscription's crosspost: a recorded step, retried without a second send", () => {
  it.each([
    ['a 500', { status: 500, body: { code: 0, message: 'Internal Server Error' } } as CuedResponse],
    ['a 429 with Retry-After (waits as asked)', RATE_LIMITED],
    ['a lost answer (crossposted, the answer never came)', { status: 200, lose: true } as CuedResponse],
    [
      '40033 (already crossposted)',
      { status: 400, body: { code: 40033, message: 'This message has already been crossposted.' } },
    ],
  ])('finishes after %s', async (_name, answer) => {
    const id = channel();
    fake.rest.cue('POST', crosspostPath(id), answer);
    const post = makePost(1);
    const h = await start(id, post, { crosspost: true });
    await settled(h, id, post, 'crosspostedAt');

    expect(sendsTo(id)).toHaveLength(1);
    const entry = await entryOf(h, id, post);
    expect(entry?.due).toEqual(['crosspost']);
    expect(entry?.refused).toBeUndefined();
    if (answer.status === 400) {
      expect(fake.rest.find('POST', crosspostPath(id))).toHaveLength(1);
    } else {
      expect(fake.rest.find('POST', crosspostPath(id))).toHaveLength(2);
      expect(fake.rest.crossposts.counts.get(id)).toBe(1);
      expect(fake.rest.messages.get(id)?.[0]?.crossposted).toBe(true);
    }
    expect(await h.deliverQueues.discord!.getFailedCount()).toBe(0);
  });

  it('a failed read of the channel type is retried too', async () => {
    const id = channel();
    fake.rest.cue('GET', new RegExp(`^/channels/${id}$`), {
      status: 502,
      body: { code: 0, message: 'Bad Gateway' },
    });
    const post = makePost(2);
    const h = await start(id, post, { crosspost: true });
    await settled(h, id, post, 'crosspostedAt');
    expect(sendsTo(id)).toHaveLength(1);
    expect(fake.rest.crossposts.counts.get(id)).toBe(1);
  });

  it('is final on 403 50013: logged once, noted for status, the message stays, nothing sent again', async () => {
    const id = channel();
    fake.cueError('POST', crosspostPath(id), 403, 50013, 'Missing Permissions');
    const post = makePost(3);
    const h = await start(id, post, { crosspost: true });
    await waitFor(
      async () => Boolean((await entryOf(h, id, post))?.refused?.crosspost) && (await h.idle()),
      'refused',
    );
    expect(sendsTo(id)).toHaveLength(1);
    expect(fake.rest.messages.get(id)).toHaveLength(1);
    expect(fake.rest.find('POST', crosspostPath(id))).toHaveLength(1);
    const entry = await entryOf(h, id, post);
    expect(entry?.refused?.crosspost).toMatch(/^50013: /);
    expect(entry?.crosspostedAt).toBeUndefined();
    const notes = await h.notes.all();
    expect(notes.map((n) => n.note.text)).toEqual([
      expect.stringMatching(/was posted without its crosspost: Discord refused it \(50013: /),
    ]);
    // A refused crosspost is not lost access: the subscription stays enabled.
    expect((await h.subscriptions.get(ref(id)))?.disabledReason).toBeNull();
    expect(await h.deliverQueues.discord!.getFailedCount()).toBe(0);
  });

  it('is not asked in a text channel (the option is for announcement channels)', async () => {
    const id = channel(0);
    const post = makePost(4);
    const h = await start(id, post, { crosspost: true });
    await waitFor(async () => sendsTo(id).length === 1 && (await h.idle()), 'sent');
    expect(fake.rest.find('POST', crosspostPath(id))).toHaveLength(0);
    const entry = await entryOf(h, id, post);
    expect(entry?.refused?.crosspost).toMatch(/not an announcement channel/);
    expect(await h.notes.all()).toEqual([]);
  });
});

describe('a thread on the announcement: a recorded step', () => {
  it.each([
    ['a 503', { status: 503, body: { code: 0, message: 'Service Unavailable' } } as CuedResponse],
    [
      '160004 (a thread was already created)',
      { status: 400, body: { code: 160004, message: 'A thread has already been created for this message' } },
    ],
  ])('finishes after %s', async (_name, answer) => {
    const id = channel(0);
    fake.rest.cue('POST', threadPath(id), answer);
    const post = makePost(5);
    const h = await start(id, post, { thread: true });
    await settled(h, id, post, 'threadedAt');
    expect(sendsTo(id)).toHaveLength(1);
    expect(fake.rest.find('POST', threadPath(id))).toHaveLength(answer.status === 400 ? 1 : 2);
    expect((await entryOf(h, id, post))?.due).toEqual(['thread']);
  });

  it('crosspost and thread both: a retry of the thread does not crosspost again', async () => {
    const id = channel();
    fake.rest.cue('POST', threadPath(id), { status: 500, body: { code: 0, message: 'oops' } }, 2);
    const post = makePost(6);
    const h = await start(id, post, { crosspost: true, thread: true });
    await settled(h, id, post, 'threadedAt');
    expect(sendsTo(id)).toHaveLength(1);
    expect(fake.rest.find('POST', crosspostPath(id))).toHaveLength(1);
    expect(fake.rest.find('POST', threadPath(id))).toHaveLength(3);
    expect((await entryOf(h, id, post))?.crosspostedAt).toBeDefined();
  });
});

describe('a job that found its earlier message still does the follow-ups', () => {
  it('found by a look (the send answered nothing)', async () => {
    const id = channel();
    fake.rest.cue('POST', new RegExp(`^/channels/${id}/messages$`), { status: 200, lose: true });
    const post = makePost(7);
    const h = await start(id, post, { crosspost: true, thread: true }, 0);
    await settled(h, id, post, 'crosspostedAt');
    await settled(h, id, post, 'threadedAt');
    expect(sendsTo(id)).toHaveLength(1);
    expect(fake.rest.messages.get(id)).toHaveLength(1);
    expect(fake.rest.crossposts.counts.get(id)).toBe(1);
  });

  it("found by Discord's nonce, the crosspost's first answer lost too", async () => {
    const id = channel();
    fake.rest.cue('POST', new RegExp(`^/channels/${id}/messages$`), { status: 200, lose: true });
    fake.rest.cue('POST', crosspostPath(id), { status: 502, body: { code: 0, message: 'Bad Gateway' } });
    const post = makePost(8);
    const h = await start(id, post, { crosspost: true });
    await settled(h, id, post, 'crosspostedAt');
    expect(fake.rest.messages.get(id)).toHaveLength(1);
    expect(fake.rest.crossposts.counts.get(id)).toBe(1);
  });
});

describe('lost access met by a follow-up', () => {
  it('goes where a send would (the subscription disabled with the platform reason); the step stays due', async () => {
    const id = channel();
    fake.cueError('POST', crosspostPath(id), 403, 50001, 'Missing Access');
    const post = makePost(9);
    const h = await start(id, post, { crosspost: true });
    await waitFor(
      async () => Boolean((await h.subscriptions.get(ref(id)))?.disabledReason) && (await h.idle()),
      'disabled',
    );
    expect((await h.subscriptions.get(ref(id)))?.disabledReason).toMatch(/^50001: /);
    expect(sendsTo(id)).toHaveLength(1);
    const entry = await entryOf(h, id, post);
    expect(entry?.due).toEqual(['crosspost']);
    expect(entry?.refused).toBeUndefined();
  });
});

describe('a follow-up that failed every attempt', () => {
  it('is noted for status, and `deliveries retry` (a retry of the job) finishes it without posting again', async () => {
    const id = channel();
    fake.rest.cue('POST', crosspostPath(id), { status: 502, body: { code: 0, message: 'Bad Gateway' } }, 2);
    const post = makePost(10);
    const h = await start(id, post, { crosspost: true }, undefined, 2);
    const deliver = h.deliverQueues.discord!;
    await waitFor(async () => (await deliver.getFailedCount()) === 1 && (await h.idle()), 'failed');
    expect(sendsTo(id)).toHaveLength(1);
    expect((await entryOf(h, id, post))?.due).toEqual(['crosspost']);
    const notes = await h.notes.all();
    expect(notes.map((n) => n.note.text)).toEqual([
      expect.stringMatching(/was posted, but its crosspost failed every attempt; `psf-bot deliveries retry`/),
    ]);

    const [failed] = await deliver.getFailed();
    await failed!.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    await settled(h, id, post, 'crosspostedAt');
    expect(sendsTo(id)).toHaveLength(1);
    expect(fake.rest.crossposts.counts.get(id)).toBe(1);
  });
});
