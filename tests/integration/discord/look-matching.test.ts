import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { testAnnouncer } from '../../../jobs/delivery/lookup.js';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { samplePost } from '../../fakes/discord/posts.js';

// A look before a re-send must find the delivery's own message and nothing else: a `/psf test` message of the
// same post, another post with the same title, or an older forum post of the same name would be taken for it,
// and the real announcement would never be posted (and its edits would go to the wrong message).
const GUILD = '700000000000000001';
let fake: FakeDiscord;
let seq = 0;
const newChannel = () => `7200000000000000${String(++seq).padStart(2, '0')}`;
const target = (channelId: string, forum = false) => ({
  workspaceId: GUILD,
  channelId,
  options: forum ? { forum: true } : {},
});
const channelRef = (channelId: string) => ({ platform: 'discord' as const, workspaceId: GUILD, channelId });

beforeAll(async () => {
  fake = await FakeDiscord.start();
});
afterAll(async () => {
  await fake.stop();
});

/** An announcer whose look reads the channel at once (no nonce window), as a late re-send does. */
const lookingAnnouncer = () =>
  new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl, nonceTrustMs: 0 });

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('the look in a text channel', () => {
  it('never takes a /psf test message of the same post for the announcement', async () => {
    const id = newChannel();
    fake.rest.channelTypes.set(id, 0);
    const bot = lookingAnnouncer();
    const post = samplePost({ id: 'tested' });
    const since = new Date();
    await testAnnouncer({ discord: bot }).announce(post, channelRef(id), {});
    expect(await bot.findEarlier(post, target(id), { nonce: 'n-tested', since })).toEqual({ found: null });
    const real = await bot.announce(post, target(id), 'n-tested');
    expect(await bot.findEarlier(post, target(id), { nonce: 'n-tested', since })).toEqual({
      found: { messageId: real.messageId },
    });
  });

  it('never takes another post with the same title', async () => {
    const id = newChannel();
    const bot = lookingAnnouncer();
    const since = new Date();
    const title = 'Python Software Foundation News';
    await bot.announce(samplePost({ id: 'a', title, url: 'https://example.org/a' }), target(id), 'n-a');
    const post = samplePost({ id: 'b', title, url: 'https://example.org/b' });
    expect(await bot.findEarlier(post, target(id), { nonce: 'n-b', since })).toEqual({ found: null });
    // Without URLs, the title alone does not decide either: the time must match too.
    const noUrl = { url: null, title: 'Board minutes' };
    await bot.announce(
      samplePost({ ...noUrl, id: 'c', publishedAt: '2026-03-01T00:00:00.000Z' }),
      target(id),
      'n-c',
    );
    const other = samplePost({ ...noUrl, id: 'd', publishedAt: '2026-04-01T00:00:00.000Z' });
    expect(await bot.findEarlier(other, target(id), { nonce: 'n-d', since })).toEqual({ found: null });
    const sent = await bot.announce(other, target(id), 'n-d');
    expect(await bot.findEarlier(other, target(id), { nonce: 'n-d', since })).toEqual({
      found: { messageId: sent.messageId },
    });
  });
});

describe('the look in a forum', () => {
  it('never takes a /psf test post, or another post whose title shares the first 100 characters', async () => {
    const forum = newChannel();
    fake.rest.threads.addForum(forum, []);
    const bot = lookingAnnouncer();
    const stem = 'A'.repeat(120);
    const post = samplePost({ id: 'long-1', title: `${stem} one`, url: 'https://example.org/one' });
    const twin = samplePost({ id: 'long-2', title: `${stem} two`, url: 'https://example.org/two' });
    const since = new Date();
    await testAnnouncer({ discord: bot }).announce(post, channelRef(forum), { forum: true });
    await bot.announce(twin, target(forum, true), 'n-twin');
    // Three posts carry the same (cut) name; neither the test nor the twin is this post's announcement.
    expect(await bot.findEarlier(post, target(forum, true), { nonce: 'n-one', since })).toEqual({
      found: null,
    });
    const real = await bot.announce(post, target(forum, true), 'n-one');
    expect(await bot.findEarlier(post, target(forum, true), { nonce: 'n-one', since })).toEqual({
      found: real,
    });
  });

  it('never takes a forum post made before the first attempt (an older post of the same name)', async () => {
    const forum = newChannel();
    fake.rest.threads.addForum(forum, []);
    const bot = lookingAnnouncer();
    const post = samplePost({ id: 'again' });
    await bot.announce(post, target(forum, true), 'n-old');
    const since = new Date(Date.now() + 60_000);
    expect(await bot.findEarlier(post, target(forum, true), { nonce: 'n-again', since })).toEqual({
      found: null,
    });
  });

  it("never takes the day's regular digest for its final digest (both forum posts get the same name)", async () => {
    const forum = newChannel();
    fake.rest.threads.addForum(forum, []);
    const bot = lookingAnnouncer();
    const posts = [samplePost({ id: 'digest-1' })];
    const regular = { cadence: 'daily' as const, periodEnd: '2026-12-07T00:00:00.000Z', posts, more: 0 };
    const final = { ...regular, periodEnd: '2026-12-07T15:32:00.000Z' };
    const since = new Date();
    const first = await bot.sendDigest(regular, target(forum, true), 'n-regular');
    const look = (digest: typeof regular) =>
      bot.findEarlier(digest, target(forum, true), { nonce: 'n-final', since });
    expect(await look(final)).toEqual({ found: null });
    expect(await look(regular)).toEqual({ found: first });
  });

  it('finds the forum post after the forum archived it (idle posts are archived after an hour)', async () => {
    const forum = newChannel();
    fake.rest.threads.addForum(forum, []);
    const bot = lookingAnnouncer();
    const post = samplePost({ id: 'archived' });
    const since = new Date();
    const sent = await bot.announce(post, target(forum, true), 'n-archived');
    fake.rest.threads.archive(sent.threadId!, new Date(Date.now() + 3_600_000));
    expect(await bot.findEarlier(post, target(forum, true), { nonce: 'n-archived', since })).toEqual({
      found: sent,
    });
    const archivedReads = fake.rest.find('GET', new RegExp(`^/channels/${forum}/threads/archived/public$`));
    expect(archivedReads.length).toBeGreaterThan(0);
  });

  it('classifies the look’s errors: a 429 is a rate limit (it holds, spending no attempt), not a failure', async () => {
    const forum = newChannel();
    fake.rest.threads.addForum(forum, []);
    fake.cueRateLimit('GET', /^\/guilds\/\d+\/threads\/active$/, 7);
    const error = await failure(
      lookingAnnouncer().findEarlier(samplePost(), target(forum, true), { nonce: 'n', since: new Date() }),
    );
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(7_000);
    fake.cueError('GET', /^\/channels\/\d+\/threads\/archived\/public$/, 503, 0, 'upstream');
    expect(
      await failure(
        lookingAnnouncer().findEarlier(samplePost(), target(forum, true), { nonce: 'n', since: new Date() }),
      ),
    ).toMatchObject({ kind: 'transient' });
  });
});
