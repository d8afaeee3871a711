import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SlackAnnouncer } from '../../../adapters/slack/announcer.js';
import { staticBotToken } from '../../../adapters/slack/tokens.js';
import { deliverJobId } from '../../../jobs/queues.js';
import { postKey } from '../../../src/posts/identity.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;
let harness: Harness | undefined;
let slack: FakeSlack;
const SLACK_TOKEN = 'xoxb-look-429';

beforeAll(async () => {
  slack = new FakeSlack();
  await slack.start();
  slack.tokens.set(SLACK_TOKEN, { teamId: 'T1', botId: 'B1', botUserId: 'U1' });
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
const inChannel = (channelId: string) => slack.messages.filter((message) => message.channel === channelId);

// Slack's limits are per workspace AND method: a 429 on `conversations.history` (the look before a re-send) is
// no reason to hold the workspace's `chat.postMessage`. It holds the looks (never sending blind) and nothing else.
describe('a 429 on the look before a re-send', () => {
  it('holds only the look: the workspace keeps posting, and the held re-send never goes out blind', async () => {
    const first = makePost(1);
    const post = makePost(2);
    const quiet = ['CQ1', 'CQ2', 'CQ3'];
    for (const id of ['CLOOK', ...quiet]) slack.channels.set(id, { isMember: true });
    harness = await startHarness({
      prefix: uniquePrefix('look-429'),
      announcers: {
        slack: new SlackAnnouncer({
          apiUrl: slack.apiUrl,
          tokens: staticBotToken(SLACK_TOKEN),
          timeoutMs: 15_000,
        }),
      },
      posts: [first, post],
      subscriptions: [slackSub('CLOOK')],
      slackIntervalMs: 50,
    });
    // The first send is accepted but its answer lost; the retry must look first, and the look answers 429 (30 s).
    slack.cue('chat.postMessage', { lose: true });
    slack.cue('conversations.history', { status: 429, retryAfter: 30 });
    await harness.sink.enqueue([first]);
    await waitFor(() => slack.callsOf('conversations.history').length > 0, 'the look to answer 429');

    for (const id of quiet) await harness.subscriptions.put(slackSub(id));
    await harness.sink.enqueue([post]);
    await waitFor(
      async () => (await harness!.ledger.forPost(postKey(post.feed, post.id))).length === 4,
      'the workspace to keep posting while its looks are held',
    );
    for (const id of quiet) expect(inChannel(id)).toHaveLength(1);
    // The lost-answer channel got the first post once (the lost send) and was not re-sent to without a look.
    expect(inChannel('CLOOK')).toHaveLength(2);
    expect(inChannel('CLOOK').filter((m) => m.text.includes(first.title))).toHaveLength(1);
    expect(slack.callsOf('conversations.history')).toHaveLength(1);
    const job = await harness.deliverQueues.slack!.getJob(
      deliverJobId(first, { platform: 'slack', workspaceId: 'T1', channelId: 'CLOOK' }),
    );
    expect(await job!.getState()).toBe('delayed');
  });
});
