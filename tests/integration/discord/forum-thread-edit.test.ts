import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_MARK } from '../../../adapters/discord/announcement.js';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { testAnnouncer } from '../../../jobs/delivery/lookup.js';
import { CommandCore } from '../../../src/commands/command-core.js';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import { MemoryDeliveryLedger } from '../../../src/delivery/ledger.js';
import { postKey } from '../../../src/posts/identity.js';
import { makeCore } from '../../unit/commands/core-fixture.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { samplePost } from '../../fakes/discord/posts.js';

const GUILD = '700000000000000001';
const TEXT = '700000000000000020';
const FORUM = '700000000000000021';
const STRICT_FORUM = '700000000000000022';
const ROLE = '700000000000000555';
const target = (channelId: string, options = {}) => ({ workspaceId: GUILD, channelId, options });

let fake: FakeDiscord;
let announcer: DiscordAnnouncer;

beforeAll(async () => {
  fake = await FakeDiscord.start();
  fake.rest.channelTypes.set(TEXT, 0);
  announcer = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl });
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

describe('forum channels', () => {
  it('posts each announcement as a forum post titled after the post, with the forum tags matching its tags', async () => {
    const tags = fake.rest.threads.addForum(FORUM, ['pycon us', 'Grants', 'Board-of-Directors', 'Security']);
    const byName = Object.fromEntries(tags.map((tag) => [tag.name, tag.id]));
    const post = samplePost({ id: 'forum-1', tags: ['PyCon-US', 'board of directors', 'sponsors'] });
    const delivered = await announcer.announce(
      post,
      target(FORUM, { forum: true, mentionRoleId: ROLE }),
      'n-forum-1',
    );
    const thread = fake.rest.threads.threads.get(delivered.threadId!)!;
    expect(thread).toMatchObject({ parentId: FORUM, name: post.title });
    expect(thread.appliedTags).toEqual([byName['pycon us'], byName['Board-of-Directors']]);
    // The first message has the thread's id, carries the embed, and pings only the role.
    expect(delivered.messageId).toBe(delivered.threadId);
    const [first] = fake.rest.messages.get(delivered.threadId!)!;
    expect(first!.id).toBe(delivered.messageId);
    expect(first!.content).toBe(`<@&${ROLE}>`);
    expect(first!.body.allowed_mentions).toEqual({ parse: [], roles: [ROLE] });
    expect(first!.embeds).toHaveLength(1);
    expect(fake.rest.messages.get(FORUM)).toBeUndefined();
  });

  it('chooses the tags per post, at most 5, and reads the forum tags once in a while, not per post', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const forum = '700000000000000023';
    fake.rest.threads.addForum(forum, names);
    const reads = () => fake.rest.find('GET', new RegExp(`^/channels/${forum}$`)).length;
    const first = await announcer.announce(
      samplePost({ id: 'many', tags: names }),
      target(forum, { forum: true }),
      'x1',
    );
    const second = await announcer.announce(
      samplePost({ id: 'one', tags: ['G'] }),
      target(forum, { forum: true }),
      'x2',
    );
    expect(fake.rest.threads.threads.get(first.threadId!)!.appliedTags).toHaveLength(5);
    expect(fake.rest.threads.threads.get(second.threadId!)!.appliedTags).toHaveLength(1);
    expect(reads()).toBe(1);
  });

  it('finds the forum post an earlier attempt made, since forum posts take no nonce', async () => {
    const post = samplePost({ id: 'crash', title: 'Posted, then the worker died', tags: ['Grants'] });
    const forum = target(FORUM, { forum: true });
    const first = await announcer.announce(post, forum, 'x10');
    const since = new Date(Date.now() - 60_000);
    const look = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: fake.apiUrl });
    expect(await look.findEarlier(post, forum, { nonce: 'x10', since })).toEqual({ found: first });
    const never = samplePost({ id: 'never', title: 'Never posted' });
    expect(await look.findEarlier(never, forum, { nonce: 'x11', since })).toEqual({ found: null });
    // A forum has no messages to list: the look never asks for them.
    expect(fake.rest.find('GET', new RegExp(`^/channels/${FORUM}/messages`))).toEqual([]);
  });

  it('cuts a long title to a thread name of at most 100 characters', async () => {
    fake.rest.threads.addForum('700000000000000024', []);
    const delivered = await announcer.announce(
      samplePost({ id: 'long', title: 'x'.repeat(300) }),
      target('700000000000000024', { forum: true }),
      'x3',
    );
    expect([...fake.rest.threads.threads.get(delivered.threadId!)!.name]).toHaveLength(100);
  });

  it('refuses, without a request, a post matching none of the tags of a forum that requires one', async () => {
    fake.rest.threads.addForum(STRICT_FORUM, ['Security'], { requireTag: true });
    const before = fake.rest.find('POST', /\/threads$/).length;
    const error = await failure(
      announcer.announce(
        samplePost({ id: 'strict', tags: ['Grants'] }),
        target(STRICT_FORUM, { forum: true }),
        'x4',
      ),
    );
    expect(error.kind).toBe('unsendable');
    expect(error.message).toMatch(/requires a tag.*Grants.*Security/);
    expect(fake.rest.find('POST', /\/threads$/).length).toBe(before);
  });
});

describe('threads and role mentions in text channels', () => {
  it('opens a thread named after the post on the announcement, whose id is the message id', async () => {
    const post = samplePost({ id: 'threaded', title: '  Python 3.14\nreleased  ' });
    const delivered = await announcer.announce(post, target(TEXT, { thread: true }), 'x5');
    // The delivery job opens it as a step of its own, after the send is recorded (follow-up-steps.test.ts).
    expect(fake.rest.threads.threads.get(delivered.messageId)).toBeUndefined();
    await announcer.openThread(TEXT, delivered.messageId, post.title);
    // Asked again (an earlier answer lost): 160004, already done.
    await announcer.openThread(TEXT, delivered.messageId, post.title);
    expect(fake.rest.threads.threads.get(delivered.messageId)).toMatchObject({
      parentId: TEXT,
      name: 'Python 3.14 released',
    });
  });

  it('mentions the role in content and allows that role alone', async () => {
    const delivered = await announcer.announce(
      samplePost({ id: 'role', summary: '@everyone <@&1>' }),
      target(TEXT, { mentionRoleId: ROLE }),
      'x6',
    );
    const message = fake.rest.messages.get(TEXT)!.find((item) => item.id === delivered.messageId)!;
    expect(message.content).toBe(`<@&${ROLE}>`);
    expect(message.body.allowed_mentions).toEqual({ parse: [], roles: [ROLE] });
  });
});

describe('edits', () => {
  it('edits a message in place with PATCH, mentions still limited, no new message', async () => {
    const post = samplePost({ id: 'edit-text' });
    const delivered = await announcer.announce(post, target(TEXT, { mentionRoleId: ROLE }), 'x7');
    const count = fake.rest.messages.get(TEXT)!.length;
    await announcer.edit(
      samplePost({ id: 'edit-text', title: 'Corrected title' }),
      target(TEXT, { mentionRoleId: ROLE }),
      delivered,
    );
    expect(fake.rest.messages.get(TEXT)!.length).toBe(count);
    const edited = fake.rest.messages.get(TEXT)!.find((item) => item.id === delivered.messageId)!;
    expect((edited.embeds[0] as { title: string }).title).toBe('Corrected title');
    expect(fake.rest.edits.at(-1)!.body.allowed_mentions).toEqual({ parse: [], roles: [ROLE] });
  });

  it("edits a forum post's first message inside its thread", async () => {
    const delivered = await announcer.announce(
      samplePost({ id: 'edit-forum', tags: ['Grants'] }),
      target(FORUM, { forum: true }),
      'x8',
    );
    await announcer.edit(
      samplePost({ id: 'edit-forum', summary: 'Now with the right dates.' }),
      target(FORUM, { forum: true }),
      delivered,
    );
    expect(fake.rest.edits.at(-1)).toMatchObject({
      channelId: delivered.threadId,
      messageId: delivered.messageId,
    });
  });

  it('leaves a forum post whose thread was archived as it is, without disabling the forum', async () => {
    const delivered = await announcer.announce(
      samplePost({ id: 'archived', tags: ['Grants'] }),
      target(FORUM, { forum: true }),
      'x9',
    );
    fake.cueError(
      'PATCH',
      new RegExp(`^/channels/${delivered.threadId}/messages/`),
      400,
      50083,
      'Thread is archived',
    );
    const error = await failure(
      announcer.edit(samplePost({ id: 'archived', title: 'New' }), target(FORUM, { forum: true }), delivered),
    );
    expect(error).toMatchObject({ kind: 'unsendable', code: '50083' });
  });

  it('treats an announcement deleted meanwhile as nothing to edit, not as lost access', async () => {
    const error = await failure(
      announcer.edit(samplePost(), target(TEXT), { messageId: '700000000000009999' }),
    );
    expect(error).toMatchObject({ kind: 'unsendable', code: '10008' });
  });
});

describe('/psf test in a forum', () => {
  it('posts the newest matching post as a forum post with the role mention, recording nothing', async () => {
    const TEST_FORUM = '700000000000000030';
    fake.rest.threads.addForum(TEST_FORUM, ['Grants']);
    const posts = [
      samplePost({
        id: 'older',
        title: 'Older grants news',
        tags: ['Grants'],
        publishedAt: '2026-01-01T00:00:00.000Z',
      }),
      samplePost({
        id: 'newest',
        title: 'Sponsor news',
        tags: ['Sponsors'],
        publishedAt: '2026-02-01T00:00:00.000Z',
      }),
    ];
    const base = await makeCore(posts);
    const ledger = new MemoryDeliveryLedger();
    const core = new CommandCore({ ...base, ledger, testAnnouncer: testAnnouncer({ discord: announcer }) });
    const context = {
      platform: 'discord' as const,
      workspaceId: GUILD,
      channelId: TEST_FORUM,
      userId: 'U',
      canManage: true,
      forum: true,
    };
    await core.handle({ name: 'subscribe', excludedTags: ['sponsors'], tags: [], mention: ROLE }, context);
    const reply = await core.handle({ name: 'test' }, context);
    expect(reply).toMatchObject({
      kind: 'text',
      text: expect.stringMatching(
        /^Test announcement of “Older grants news” posted: https:\/\/discord\.com\/channels\/700000000000000001\/\d+\/\d+/,
      ),
    });
    const thread = [...fake.rest.threads.threads.values()].find((item) => item.parentId === TEST_FORUM)!;
    expect(thread.name).toBe('Older grants news');
    // Marked as a test above the role mention, so a look never takes it for the announcement.
    expect(fake.rest.messages.get(thread.id)![0]!.content).toBe(`${TEST_MARK}\n<@&${ROLE}>`);
    expect(await ledger.forPost(postKey('psf', 'older'))).toEqual([]);
  });
});
