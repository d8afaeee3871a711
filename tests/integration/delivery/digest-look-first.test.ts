import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { SlackAnnouncer } from '../../../adapters/slack/announcer.js';
import { staticBotToken } from '../../../adapters/slack/tokens.js';
import type { Announcer } from '../../../src/delivery/announcer.js';
import type { DigestSchedule } from '../../../src/digests/period.js';
import type { Post } from '../../../src/posts/post.js';
import type { Subscription } from '../../../src/subscriptions/subscription.js';
import { finalDigests } from '../../../jobs/delivery/lookup.js';
import { digestLedgerKey, digestNonce } from '../../../jobs/queues.js';
import { ScriptedAnnouncer } from '../../../src/delivery/scripted-announcer.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;
let harness: Harness | undefined;
let discord: FakeDiscord;
let slack: FakeSlack;
const SLACK_TOKEN = 'xoxb-digest-look';
const SCHEDULE: DigestSchedule = { hour: 15, minute: 0, weekday: 1 };
const CREATED = '2026-11-01T00:00:00.000Z';
let clock = new Date('2026-12-01T10:00:00Z');

beforeAll(async () => {
  discord = await FakeDiscord.start();
  slack = new FakeSlack();
  await slack.start();
  slack.tokens.set(SLACK_TOKEN, { teamId: 'T1', botId: 'B1', botUserId: 'U1' });
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(async () => {
  await discord.stop();
  await slack.stop();
});

/** A daily digest channel with one post announced at 10:00, and its digest planned at 15:00. */
async function digestOf(prefix: string, announcer: Announcer, sub: Subscription, post: Post) {
  clock = new Date('2026-12-01T10:00:00Z');
  harness = await startHarness({
    prefix: uniquePrefix(prefix),
    announcers: { [sub.platform]: announcer },
    posts: [post],
    subscriptions: [sub],
    slackIntervalMs: 50,
    backoffMs: 50,
    digests: { schedule: SCHEDULE, now: () => clock },
  });
  await harness.sink.enqueue([post]);
  await waitFor(() => harness!.idle(), 'announcement handled');
  clock = new Date('2026-12-01T15:00:00Z');
  await harness.digestQueue.add('digest', { cadence: 'daily' }, { jobId: `tick-${prefix}` });
  await waitFor(() => harness!.idle(), 'digest planned and delivered');
  return harness;
}

describe('a digest re-send looks first, as an announcement does', () => {
  it('on Slack: a digest whose answer was lost is found by its metadata and posted once', async () => {
    slack.channels.set('CDIGLOST', { isMember: true });
    const sub = makeSubscription(1, {
      platform: 'slack',
      workspaceId: 'T1',
      channelId: 'CDIGLOST',
      createdAt: CREATED,
      options: { digest: 'daily' },
    });
    const announcer = new SlackAnnouncer({
      apiUrl: slack.apiUrl,
      tokens: staticBotToken(SLACK_TOKEN),
      timeoutMs: 15_000,
    });
    slack.cue('chat.postMessage', { lose: true });
    const h = await digestOf('digest-look-slack', announcer, sub, makePost(1));
    const posted = slack.messages.filter((message) => message.channel === 'CDIGLOST');
    expect(posted).toHaveLength(1);
    expect(slack.callsOf('conversations.history').length).toBeGreaterThanOrEqual(1);
    const recorded = await h.ledger.get(digestLedgerKey('daily-2026-12-01'), sub);
    expect(recorded?.messageId).toBe(posted[0]!.ts);
  });

  it('on Discord beyond the nonce window: the history look recognises this period’s digest by its marker', async () => {
    const channelId = '700000000000000041';
    const channel = { platform: 'discord' as const, workspaceId: '700000000000000001', channelId };
    const announcer = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl, nonceTrustMs: 0 });
    const target = { workspaceId: channel.workspaceId, channelId, options: {} };
    const since = new Date(Date.now() - 1000);
    const post = makePost(3);
    await announcer.announce(post, target, 'n-post-before-digest');
    const digest = {
      cadence: 'daily' as const,
      periodEnd: '2026-12-01T15:00:00.000Z',
      posts: [post],
      more: 0,
    };
    const sent = await announcer.sendDigest(digest, target, digestNonce(channel, 'daily-2026-12-01'));
    const look = (periodEnd: string) =>
      announcer.findEarlier({ ...digest, periodEnd }, target, { nonce: 'n-other', since });
    expect(await look(digest.periodEnd)).toEqual({ found: { messageId: sent.messageId } });
    expect(await look('2026-12-02T15:00:00.000Z')).toEqual({ found: null });
  });

  it('on a Discord forum: a lost digest forum post is found by its name, not posted again', async () => {
    const forum = '700000000000000042';
    discord.rest.threads.addForum(forum, ['Grants']);
    const announcer = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl });
    const target = { workspaceId: '700000000000000001', channelId: forum, options: { forum: true } };
    const digest = {
      cadence: 'weekly' as const,
      periodEnd: '2026-12-07T15:00:00.000Z',
      posts: [makePost(2)],
      more: 0,
    };
    const sent = await announcer.sendDigest(digest, target, 'n-forum-digest');
    const since = new Date(Date.now() - 1000);
    expect(await announcer.findEarlier(digest, target, { nonce: 'x', since })).toEqual({ found: sent });
  });
});

describe('a digest a forum cannot take', () => {
  it('is skipped and noted like an announcement: no retries, the channel kept, the posts kept for later', async () => {
    const forum = '700000000000000043';
    discord.rest.threads.addForum(forum, ['Elsewhere'], { requireTag: true });
    const sub = makeSubscription(4, {
      platform: 'discord',
      workspaceId: '700000000000000001',
      channelId: forum,
      createdAt: CREATED,
      options: { digest: 'daily', forum: true },
    });
    const announcer = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl });
    const h = await digestOf('digest-forum-tag', announcer, sub, makePost(5));
    const jobs = await h.deliverQueues.discord!.getJobs(['completed', 'failed', 'delayed', 'wait']);
    const digestJob = jobs.find((job) => String(job.id).startsWith('digest-'));
    expect(await digestJob?.getState()).toBe('completed');
    expect(digestJob?.attemptsMade).toBeLessThanOrEqual(1);
    expect(digestJob?.returnvalue).toMatchObject({ status: 'skipped' });
    const notes = await h.notes.all();
    expect(notes).toHaveLength(1);
    expect(notes[0]!.note.text).toMatch(/daily digest.*forum_tag_required/);
    expect((await h.subscriptions.get(sub))?.disabledReason).toBeNull();
    expect(await h.digestMarks.lastEnd(sub)).toBeNull();
    expect(discord.rest.find('POST', new RegExp(`/channels/${forum}/threads$`))).toEqual([]);
  });
});

describe('a channel switching `digest off`', () => {
  it('gets the posts held for its digest once, as one last digest, and nothing if switched on again', async () => {
    const sub = makeSubscription(6, { createdAt: CREATED, options: { digest: 'daily' } });
    const announcer = new ScriptedAnnouncer('console');
    const posts = [makePost(7), makePost(8)];
    clock = new Date('2026-12-01T10:00:00Z');
    harness = await startHarness({
      prefix: uniquePrefix('digest-off'),
      announcers: { console: announcer },
      posts,
      subscriptions: [sub],
      digests: { schedule: SCHEDULE, now: () => clock },
    });
    const h = harness;
    await h.sink.enqueue(posts);
    await waitFor(() => h.idle(), 'announcements handled');
    expect(announcer.sent).toEqual([]);
    const final = finalDigests(Object.values(h.deliverQueues), 3, 50);
    // Switched on again before the job ran: nothing (the next regular digest lists them).
    await final.queue(sub, 'daily', new Date('2026-12-01T11:00:00Z'));
    await waitFor(() => h.idle(), 'final digest skipped');
    expect(announcer.digests).toEqual([]);
    await h.subscriptions.put({ ...sub, options: {} });
    const at = new Date('2026-12-01T12:00:00Z');
    await final.queue(sub, 'daily', at);
    await final.queue(sub, 'daily', at);
    await waitFor(() => h.idle(), 'final digest sent');
    expect(announcer.digests.map((sent) => sent.digest.posts.map((post) => post.title).sort())).toEqual([
      posts.map((post) => post.title).sort(),
    ]);
    expect(await h.digestMarks.lastEnd(sub)).toEqual(at);
  });
});
