import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SlackAnnouncer } from '../../../adapters/slack/announcer.js';
import { staticBotToken } from '../../../adapters/slack/tokens.js';
import { listFailedDeliveries, retryFailedDeliveries } from '../../../jobs/delivery/failed.js';
import { testAnnouncer } from '../../../jobs/delivery/lookup.js';
import { deliverJobId, deliveryNonce } from '../../../jobs/queues.js';
import { postKey } from '../../../src/posts/identity.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { MARKETPLACE_LESS } from '../../fakes/slack/history.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;
let harness: Harness | undefined;
let slack: FakeSlack;
const SLACK_TOKEN = 'xoxb-tight-look';
/** The fake's "minute": Slack's tight limits with a one-second window, so tests need not wait a minute. */
const TIGHT = { ...MARKETPLACE_LESS, windowMs: 1_000 };

beforeAll(async () => {
  slack = new FakeSlack();
  await slack.start();
  slack.tokens.set(SLACK_TOKEN, { teamId: 'T1', botId: 'B1', botUserId: 'U1' });
  slack.limitHistory(TIGHT);
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(async () => {
  await slack.stop();
});

const slackSub = (channelId: string) =>
  makeSubscription(0, { platform: 'slack', workspaceId: 'T1', channelId });
const botMessages = (channelId: string) =>
  slack.messages.filter((message) => message.channel === channelId && !message.user);
const ref = (channelId: string) => ({ platform: 'slack' as const, workspaceId: 'T1', channelId });

async function start(prefix: string, channels: string[], posts = [makePost(1)], deadlineMs?: number) {
  for (const id of channels) slack.channels.set(id, { isMember: true });
  harness = await startHarness({
    prefix,
    announcers: {
      slack: new SlackAnnouncer({
        apiUrl: slack.apiUrl,
        tokens: staticBotToken(SLACK_TOKEN),
        timeoutMs: 15_000,
      }),
    },
    posts,
    subscriptions: channels.map(slackSub),
    slackIntervalMs: 50,
    ...(deadlineMs !== undefined ? { look: { deadlineMs } } : {}),
  });
  return harness;
}

/** Every channel's first send reaches Slack but its answer is lost; people talk before the retry's look. */
async function loseAnswersThenTalk(h: Harness, channels: string[], messagesEach: number, prefix: string) {
  for (const _ of channels) slack.cue('chat.postMessage', { lose: true });
  const looksBefore = slack.callsOf('conversations.history').length;
  const release = slack.hold('conversations.history');
  await h.sink.enqueue([makePost(1)]);
  // The first look is held at Slack; with several channels, every look has joined the workspace's line.
  await waitFor(() => slack.callsOf('conversations.history').length > looksBefore, 'the first look');
  if (channels.length > 1)
    await waitFor(
      async () => (await h.redis.zcard(`${prefix}:look-turns:slack:T1`)) === channels.length,
      'every look to queue up',
    );
  for (const id of channels) for (let i = 0; i < messagesEach; i++) slack.say(id, `chatter ${i} in ${id}`);
  release();
}

describe("the Slack look under Slack's tightest history limits", () => {
  it('pages through more than 15 messages since the first attempt, one page a minute, and finds the message', async () => {
    const prefix = uniquePrefix('tight-look');
    const h = await start(prefix, ['CBUSY']);
    const post = makePost(1);
    const pagesBefore = slack.historyPages.length;
    await loseAnswersThenTalk(h, ['CBUSY'], 40, prefix);
    await waitFor(
      async () =>
        (await h.ledger.get(postKey(post.feed, post.id), ref('CBUSY'))) !== null && (await h.idle()),
      'the look to finish and record the message',
      60_000,
    );
    // Found where the lost send put it, not sent again.
    expect(botMessages('CBUSY')).toHaveLength(1);
    const entry = await h.ledger.get(postKey(post.feed, post.id), ref('CBUSY'));
    expect(entry?.messageId).toBe(botMessages('CBUSY')[0]!.ts);
    // 41 messages in the window: three pages of at most 15, each continuing from the last page's cursor.
    const pages = slack.historyPages.slice(pagesBefore).map((call) => call.params);
    expect(pages).toHaveLength(3);
    for (const page of pages) {
      expect(Number(page.limit)).toBeLessThanOrEqual(15);
      expect(Number(page.latest)).toBeGreaterThan(Number(page.oldest));
    }
    expect(pages[0]!.cursor).toBeUndefined();
    expect(pages[1]!.cursor).toBeDefined();
    expect(pages[2]!.cursor).not.toBe(pages[1]!.cursor);
  });

  it('gives every channel of a workspace its look in turn: none reads a second page before all read a first', async () => {
    const prefix = uniquePrefix('tight-look-fair');
    const channels = ['CFAIR1', 'CFAIR2', 'CFAIR3'];
    const h = await start(prefix, channels);
    const post = makePost(1);
    const pagesBefore = slack.historyPages.length;
    await loseAnswersThenTalk(h, channels, 20, prefix);
    await waitFor(
      async () => (await h.ledger.forPost(postKey(post.feed, post.id))).length === 3 && (await h.idle()),
      'every channel to settle',
      60_000,
    );
    for (const id of channels) expect(botMessages(id)).toHaveLength(1);
    const order = slack.historyPages.slice(pagesBefore).map((call) => call.params.channel);
    // 21 messages each: two pages per channel, taken round-robin.
    expect(order).toHaveLength(6);
    expect(new Set(order.slice(0, 3)).size).toBe(3);
    expect(order.slice(3)).toEqual(order.slice(0, 3));
  });

  it('records a delivery unverified when no look can finish in time: not re-sent, listed, and forced by retry', async () => {
    const prefix = uniquePrefix('tight-look-unverified');
    const h = await start(prefix, ['CSTUCK'], [makePost(1)], 2_500);
    const post = makePost(1);
    // Every read of this channel's history is rate limited: the look never gets a page.
    slack.intercept = (call) =>
      call.method === 'conversations.history' && call.params.channel === 'CSTUCK'
        ? { status: 429, retryAfter: 1 }
        : null;
    try {
      slack.cue('chat.postMessage', { lose: true });
      await h.sink.enqueue([post]);
      const id = deliverJobId(post, ref('CSTUCK'));
      await waitFor(
        async () => (await (await h.deliverQueues.slack!.getJob(id))?.getState()) === 'failed',
        'the look to pass its deadline',
        30_000,
      );
      expect(botMessages('CSTUCK')).toHaveLength(1);
      const failed = await listFailedDeliveries(h.deliverQueues, h.posts);
      expect(failed).toEqual([
        expect.objectContaining({
          jobId: id,
          unverified: true,
          lastError: expect.stringMatching(/^unverified: /),
        }),
      ]);
      expect(h.counters.get('slack', 'unverified')).toBe(1);
      const notes = await h.notes.all();
      expect(notes.find((n) => n.channel.channelId === 'CSTUCK')?.note.text).toMatch(
        /may or may not have been posted here.*deliveries retry/,
      );
      expect(await h.ledger.get(postKey(post.feed, post.id), ref('CSTUCK'))).toBeNull();

      const looks = slack.callsOf('conversations.history').length;
      expect(await retryFailedDeliveries(h.deliverQueues, [id])).toEqual({ retried: [id], notFound: [] });
      await waitFor(
        async () => (await h.ledger.get(postKey(post.feed, post.id), ref('CSTUCK'))) !== null,
        'the forced send',
      );
      // The operator's call: sent without another look.
      expect(botMessages('CSTUCK')).toHaveLength(2);
      expect(slack.callsOf('conversations.history')).toHaveLength(looks);
      await waitFor(async () => (await h.idle()) && (await h.notes.all()).length === 0, 'the note to go');
    } finally {
      slack.intercept = null;
    }
  });
});

describe('the Slack look matches the delivery, nothing else', () => {
  it('never takes a /psf test message of the post, nor the announcement of another post with the same title', async () => {
    slack.channels.set('CMATCH', { isMember: true });
    const announcer = new SlackAnnouncer({
      apiUrl: slack.apiUrl,
      tokens: staticBotToken(SLACK_TOKEN),
      timeoutMs: 15_000,
    });
    const post = makePost(7);
    const twin = makePost(8, { title: post.title });
    const target = { workspaceId: 'T1', channelId: 'CMATCH', options: {} };
    const nonce = deliveryNonce(post, ref('CMATCH'));
    const since = new Date();
    await testAnnouncer({ slack: announcer }).announce(post, ref('CMATCH'), {});
    await announcer.announce(twin, target, deliveryNonce(twin, ref('CMATCH')));
    slack.say('CMATCH', `${post.title} ${post.url ?? ''}`);
    slack.limitHistory(null);
    try {
      expect(await announcer.findEarlier(post, target, { nonce, since })).toEqual({ found: null });
      const sent = await announcer.announce(post, target, nonce);
      expect(await announcer.findEarlier(post, target, { nonce, since })).toEqual({ found: sent });
    } finally {
      slack.limitHistory(TIGHT);
    }
  });
});
