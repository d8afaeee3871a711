import { afterEach, describe, expect, it } from 'vitest';
import { SlackAnnouncer } from '../../../adapters/slack/announcer.js';
import { staticBotToken } from '../../../adapters/slack/tokens.js';
import { deliverJobId } from '../../../jobs/queues.js';
import { blockKitProblems } from '../../fakes/slack/block-kit.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { postSlashCommand } from '../../fakes/slack/sign.js';
import { uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';
import {
  BOT_TOKEN,
  fixturePosts,
  SIGNING_SECRET,
  startSlackHarness,
  TEAM,
  type SlackHarness,
} from './slack-harness.js';

let slack: SlackHarness | undefined;
let delivery: Awaited<ReturnType<typeof startHarness>> | undefined;
let fake: FakeSlack | undefined;
afterEach(async () => {
  await delivery?.close();
  await slack?.stop();
  await fake?.stop();
  slack = delivery = fake = undefined;
});

/** `/psf subscribe` by a workspace admin in `channel`, waiting for the answer. */
async function subscribe(h: SlackHarness, channel: string): Promise<string> {
  const id = `sub-${channel}`;
  const res = await postSlashCommand(
    h.eventsUrl,
    { text: 'subscribe', user_id: 'U0ADMIN', channel_id: channel, response_url: h.fake.responseUrl(id) },
    { signingSecret: SIGNING_SECRET },
  );
  expect(res.status).toBe(200);
  return String((await h.fake.waitFor(() => h.fake.responses.find((r) => r.id === id))).body.text);
}

describe('Slack announcements through the delivery queue', () => {
  it('reaches a channel subscribed with /psf exactly once, and disables the subscription whose channel is gone', async () => {
    const posts = await fixturePosts();
    const post = posts[0]!;
    fake = new FakeSlack();
    await fake.start();
    // The delivery pipeline (BullMQ + Redis) and the Slack app share one subscription store.
    const announcers = {
      slack: new SlackAnnouncer({ apiUrl: fake.apiUrl, tokens: staticBotToken(BOT_TOKEN) }),
    };
    delivery = await startHarness({
      prefix: uniquePrefix('slack-delivery'),
      announcers,
      posts,
      subscriptions: [],
      slackIntervalMs: 50,
    });
    slack = await startSlackHarness({ fake, subscriptions: delivery.subscriptions });
    slack.fake.users.set('U0ADMIN', { isAdmin: true });
    slack.fake.channels.set('C0NEWS', {});
    slack.fake.channels.set('C0GONE', {});
    expect(await subscribe(slack, 'C0NEWS')).toMatch(/This channel now gets/);
    expect(await subscribe(slack, 'C0GONE')).toMatch(/This channel now gets/);
    slack.fake.channels.delete('C0GONE'); // deleted after subscribing: chat.postMessage says channel_not_found

    await delivery.sink.enqueue([post]);
    await waitFor(
      async () => (await delivery!.idle()) && slack!.fake.callsOf('chat.postMessage').length >= 2,
      'two attempts',
    );
    await delivery.sink.enqueue([post]); // a re-poll announcing the same post again
    await waitFor(() => delivery!.idle(), 'idle again');

    expect(slack.fake.messages.map((m) => m.channel)).toEqual(['C0NEWS']);
    expect(slack.fake.messages[0]!.token).toBe(BOT_TOKEN);
    expect(JSON.stringify(slack.fake.messages[0]!.blocks)).toContain(post.url!);
    expect(blockKitProblems(slack.fake.messages[0]!)).toEqual([]);
    const gone = await delivery.subscriptions.get({
      platform: 'slack',
      workspaceId: TEAM,
      channelId: 'C0GONE',
    });
    expect(gone?.disabledReason).toMatch(/^channel_not_found/);
    const job = await delivery.deliverQueues.slack!.getJob(
      deliverJobId(post, { platform: 'slack', workspaceId: TEAM, channelId: 'C0GONE' }),
    );
    expect(job?.attemptsMade).toBe(1);
    expect(slack.fake.callsOf('chat.postMessage').filter((c) => c.params.channel === 'C0GONE')).toHaveLength(
      1,
    );

    const res = await postSlashCommand(
      slack.eventsUrl,
      {
        text: 'subscriptions',
        user_id: 'U0ADMIN',
        channel_id: 'C0NEWS',
        response_url: slack.fake.responseUrl('list'),
      },
      { signingSecret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    const listing = await slack.fake.waitFor(() => slack!.fake.responses.find((r) => r.id === 'list'));
    expect(String(listing.body.text)).toMatch(/<#C0GONE>: .*DISABLED .*channel_not_found/);
  });
});
