import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { SlackAnnouncer } from '../../../adapters/slack/announcer.js';
import { staticBotToken } from '../../../adapters/slack/tokens.js';
import { postKey } from '../../../src/posts/identity.js';
import { RedisDeliveryNotes } from '../../../src/delivery/delivery-notes.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;
let harness: Harness | undefined;
let discord: FakeDiscord;
let slack: FakeSlack;
const SLACK_TOKEN = 'xoxb-lost-answers';

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

// The fake cuts a lost answer's connection at once; the timeout only has to outlast a loaded machine, since a
// send that times out is one more lost answer (one more look than the test counts).
const slackAnnouncer = () =>
  new SlackAnnouncer({ apiUrl: slack.apiUrl, tokens: staticBotToken(SLACK_TOKEN), timeoutMs: 15_000 });
const slackSub = (channelId: string) =>
  makeSubscription(0, { platform: 'slack', workspaceId: 'T1', channelId });
const inChannel = (channelId: string) => slack.messages.filter((message) => message.channel === channelId);

describe('a send whose answer was lost', () => {
  it('on Slack: the retry finds the message by its metadata and records it instead of posting again', async () => {
    for (const id of ['CLOST1', 'CLOST2', 'CLOST3']) slack.channels.set(id, { isMember: true });
    const post = makePost(1);
    harness = await startHarness({
      prefix: uniquePrefix('lost-slack'),
      announcers: { slack: slackAnnouncer() },
      posts: [post],
      subscriptions: ['CLOST1', 'CLOST2', 'CLOST3'].map(slackSub),
      slackIntervalMs: 50,
    });
    slack.cue('chat.postMessage', { lose: true });
    slack.cue('chat.postMessage', { lose: true });
    await harness.sink.enqueue([post]);
    await waitFor(
      async () =>
        (await harness!.ledger.forPost(postKey(post.feed, post.id))).length === 3 && (await harness!.idle()),
      'three ledger entries',
    );
    for (const id of ['CLOST1', 'CLOST2', 'CLOST3']) expect(inChannel(id)).toHaveLength(1);
    const looks = slack.callsOf('conversations.history');
    expect(looks).toHaveLength(2);
    expect(looks[0]!.params).toMatchObject({ include_all_metadata: 'true' });
    const ledger = await harness.ledger.forPost(postKey(post.feed, post.id));
    expect(ledger.map((entry) => entry.messageId).sort()).toEqual(
      ['CLOST1', 'CLOST2', 'CLOST3'].map((id) => inChannel(id)[0]!.ts).sort(),
    );
  });

  it('on Slack without a history scope: sends as before, and notes the workspace for status and doctor', async () => {
    slack.channels.set('CNOSCOPE', { isMember: true, historyError: 'missing_scope' });
    const post = makePost(2);
    const prefix = uniquePrefix('lost-slack-scope');
    harness = await startHarness({
      prefix,
      announcers: { slack: slackAnnouncer() },
      posts: [post],
      subscriptions: [slackSub('CNOSCOPE')],
      slackIntervalMs: 50,
    });
    slack.cue('chat.postMessage', { status: 503 });
    await harness.sink.enqueue([post]);
    await waitFor(async () => inChannel('CNOSCOPE').length === 1 && (await harness!.idle()), 'one message');
    const lines = await new RedisDeliveryNotes(harness.redis, prefix).lines();
    expect(lines).toEqual([
      expect.stringMatching(/^slack T1: cannot look before re-sending: .*missing_scope/),
    ]);
  });

  it('once the history scope is granted, the next look clears the status note', async () => {
    slack.channels.set('CGRANT', { isMember: true, historyError: 'missing_scope' });
    const [before, after] = [makePost(4), makePost(5)];
    const prefix = uniquePrefix('lost-slack-grant');
    harness = await startHarness({
      prefix,
      announcers: { slack: slackAnnouncer() },
      posts: [before, after],
      subscriptions: [slackSub('CGRANT')],
      slackIntervalMs: 50,
    });
    const notes = new RedisDeliveryNotes(harness.redis, prefix);
    slack.cue('chat.postMessage', { status: 503 });
    await harness.sink.enqueue([before]);
    await waitFor(async () => inChannel('CGRANT').length === 1 && (await harness!.idle()), 'one message');
    expect(await notes.lines()).toHaveLength(1);
    // The workspace grants the scope: the next re-send's look works, and `status` stops saying it cannot.
    slack.channels.set('CGRANT', { isMember: true });
    slack.cue('chat.postMessage', { status: 503 });
    await harness.sink.enqueue([after]);
    await waitFor(async () => inChannel('CGRANT').length === 2 && (await harness!.idle()), 'two messages');
    expect(slack.callsOf('conversations.history').filter((c) => c.params.channel === 'CGRANT')).toHaveLength(
      2,
    );
    expect(await notes.lines()).toEqual([]);
  });

  it("on Discord past the nonce window: the retry finds the bot's message in the channel", async () => {
    discord.rest.nonceWindowMs = 0; // the window has passed by the time the retry runs
    const channels = ['720000000000000001', '720000000000000002'];
    const post = makePost(3);
    harness = await startHarness({
      prefix: uniquePrefix('lost-discord'),
      announcers: {
        discord: new DiscordAnnouncer({
          token: FAKE_TOKEN,
          apiUrl: discord.apiUrl,
          nonceTrustMs: 0,
          timeoutMs: 2_000,
        }),
      },
      posts: [post],
      subscriptions: channels.map((channelId) =>
        makeSubscription(0, { platform: 'discord', workspaceId: '1', channelId }),
      ),
    });
    discord.rest.cue('POST', /^\/channels\/\d+\/messages$/, { status: 200, lose: true }, 2);
    await harness.sink.enqueue([post]);
    await waitFor(
      async () =>
        (await harness!.ledger.forPost(postKey(post.feed, post.id))).length === 2 && (await harness!.idle()),
      'two ledger entries',
    );
    for (const id of channels) expect(discord.rest.messages.get(id)).toHaveLength(1);
    expect(discord.rest.find('GET', /^\/channels\/\d+\/messages$/).length).toBeGreaterThanOrEqual(2);
  });
});
