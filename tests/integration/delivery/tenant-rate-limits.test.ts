import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { SlackAnnouncer } from '../../../adapters/slack/announcer.js';
import type { SlackTokenSource } from '../../../adapters/slack/tokens.js';
import { postKey } from '../../../src/posts/identity.js';
import { deliverJobId } from '../../../jobs/queues.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;
let harness: Harness | undefined;
let discord: FakeDiscord;
let slack: FakeSlack;

beforeAll(async () => {
  discord = await FakeDiscord.start();
  slack = new FakeSlack();
  await slack.start();
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(async () => {
  await discord.stop();
  await slack.stop();
});

const first = makePost(1);
const post = makePost(2);
const discordSub = (channelId: string) =>
  makeSubscription(0, { platform: 'discord', workspaceId: '1', channelId });
const slackSub = (workspaceId: string, channelId: string) =>
  makeSubscription(0, { platform: 'slack', workspaceId, channelId });

// The noisy tenant alone gets a first post and answers its send with a 429 (Retry-After 30 s); only then do
// the quiet channels subscribe and a second post fan out. A queue-wide pause would hold them all 30 s.
describe('a 429 holds only what it is about', () => {
  it('one Discord channel answering 429 on every send delays only that channel; the 19 others flow', async () => {
    const channels = Array.from({ length: 20 }, (_, i) => `73000000000000${String(1000 + i)}`);
    const noisy = channels[0]!;
    const noisyPath = new RegExp(`^/channels/${noisy}/messages$`);
    discord.rest.cue(
      'POST',
      noisyPath,
      {
        status: 429,
        headers: { 'retry-after': '30', 'x-ratelimit-scope': 'user' },
        body: { message: 'You are being rate limited.', retry_after: 30, global: false },
      },
      1_000,
    );
    harness = await startHarness({
      prefix: uniquePrefix('tenant-discord'),
      announcers: { discord: new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl }) },
      posts: [first, post],
      subscriptions: [discordSub(noisy)],
    });
    await harness.sink.enqueue([first]);
    await waitFor(() => discord.rest.find('POST', noisyPath).length > 0, 'the first 429');
    for (const id of channels.slice(1)) await harness.subscriptions.put(discordSub(id));
    const started = Date.now();
    await harness.sink.enqueue([post]);
    await waitFor(
      async () => (await harness!.ledger.forPost(postKey(post.feed, post.id))).length === 19,
      '19 quiet channels',
    );
    const quietMs = Date.now() - started;
    console.log(
      `[delivery-report] 19 quiet Discord channels delivered in ${quietMs} ms while channel ${noisy} answered 429 ` +
        `to every one of its ${discord.rest.find('POST', noisyPath).length} sends`,
    );
    for (const id of channels.slice(1)) expect(discord.rest.messages.get(id)).toHaveLength(1);
    expect(discord.rest.messages.get(noisy)).toBeUndefined();
    for (const p of [first, post]) {
      const job = await harness.deliverQueues.discord!.getJob(
        deliverJobId(p, { platform: 'discord', workspaceId: '1', channelId: noisy }),
      );
      expect(await job!.getState()).toMatch(/delayed|waiting|active/);
      expect(job!.attemptsMade).toBe(0);
    }
  });

  it('a Slack workspace answering 429 waits alone; another workspace keeps flowing', async () => {
    const tokens: SlackTokenSource = { botToken: async (team) => `xoxb-${team}` };
    slack.tokens.set('xoxb-TNOISY', { teamId: 'TNOISY', botId: 'B1', botUserId: 'U1' });
    slack.tokens.set('xoxb-TQUIET', { teamId: 'TQUIET', botId: 'B2', botUserId: 'U2' });
    slack.channels.set('CNOISY', { isMember: true, rateLimitedFor: 30 });
    const quiet = ['CQ1', 'CQ2', 'CQ3', 'CQ4', 'CQ5'];
    for (const id of quiet) slack.channels.set(id, { isMember: true });
    harness = await startHarness({
      prefix: uniquePrefix('tenant-slack'),
      announcers: { slack: new SlackAnnouncer({ apiUrl: slack.apiUrl, tokens }) },
      posts: [first, post],
      subscriptions: [slackSub('TNOISY', 'CNOISY')],
      slackIntervalMs: 50,
    });
    const noisySends = () => slack.callsOf('chat.postMessage').filter((c) => c.params.channel === 'CNOISY');
    await harness.sink.enqueue([first]);
    await waitFor(() => noisySends().length > 0, 'the first 429');
    for (const id of quiet) await harness.subscriptions.put(slackSub('TQUIET', id));
    await harness.sink.enqueue([post]);
    await waitFor(
      async () => (await harness!.ledger.forPost(postKey(post.feed, post.id))).length === 5,
      'the quiet workspace',
    );
    expect(slack.messages.filter((m) => quiet.includes(m.channel))).toHaveLength(5);
    expect(slack.messages.filter((m) => m.channel === 'CNOISY')).toHaveLength(0);
    const job = await harness.deliverQueues.slack!.getJob(
      deliverJobId(first, { platform: 'slack', workspaceId: 'TNOISY', channelId: 'CNOISY' }),
    );
    expect(await job!.getState()).toMatch(/delayed|waiting|active/);
    expect(job!.attemptsMade).toBe(0);
  });
});
