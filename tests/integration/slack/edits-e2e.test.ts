import { afterEach, describe, expect, it } from 'vitest';
import { SlackAnnouncer } from '../../../adapters/slack/announcer.js';
import { staticBotToken } from '../../../adapters/slack/tokens.js';
import { postKey } from '../../../src/posts/identity.js';
import { contentVersion } from '../../../src/posts/version.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';

const TOKEN = 'xoxb-edits';
let fake: FakeSlack | undefined;
let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.close();
  await fake?.stop();
  harness = undefined;
  fake = undefined;
});

describe('Slack edits through the delivery queue', () => {
  it('updates each announcement once per change with chat.update at its ts, paced like sends, no new message', async () => {
    fake = new FakeSlack();
    await fake.start();
    fake.tokens.set(TOKEN, { teamId: 'T1', botId: 'B1', botUserId: 'U0BOT' });
    fake.channels.set('C1', {});
    fake.channels.set('C2', {});
    const post = makePost(1, { title: 'Before' });
    const subs = ['C1', 'C2'].map((channelId, i) =>
      makeSubscription(i, { platform: 'slack', workspaceId: 'T1', channelId }),
    );
    const h = await startHarness({
      prefix: uniquePrefix('slack-edits'),
      announcers: {
        slack: new SlackAnnouncer({ apiUrl: fake.apiUrl, tokens: staticBotToken(TOKEN), timeoutMs: 5_000 }),
      },
      posts: [post],
      subscriptions: subs,
      slackIntervalMs: 200,
    });
    harness = h;
    await h.sink.enqueue([post]);
    await waitFor(async () => fake!.messages.length === 2 && (await h.idle()), 'sends');
    const changed = { ...post, title: 'After' };
    await h.posts.save([changed]);
    await h.sink.enqueueEdits([{ post: changed, version: contentVersion(changed) }]);
    await h.sink.enqueueEdits([{ post: changed, version: contentVersion(changed) }]);
    await waitFor(async () => fake!.updates.length >= 2 && (await h.idle()), 'edits');
    expect(fake.messages).toHaveLength(2);
    expect(fake.updates.map((update) => update.channel).sort()).toEqual(['C1', 'C2']);
    for (const message of fake.messages) {
      const entry = await h.ledger.get(postKey(post.feed, post.id), {
        platform: 'slack',
        workspaceId: 'T1',
        channelId: message.channel,
      });
      expect(fake.updates.find((update) => update.channel === message.channel)?.ts).toBe(entry?.messageId);
      expect(JSON.stringify(message.blocks)).toContain('After');
    }
  });
});
