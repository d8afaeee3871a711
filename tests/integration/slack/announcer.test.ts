import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackAnnouncer } from '../../../adapters/slack/announcer.js';
import { RedisInstallationStore } from '../../../adapters/slack/installation-store.js';
import { staticBotToken } from '../../../adapters/slack/tokens.js';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import { blockKitProblems, strayControlSequences } from '../../fakes/slack/block-kit.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { deleteKeys, makePost, uniquePrefix } from '../../helpers/delivery-fixtures.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

const TOKEN = 'xoxb-announcer';
const target = (channelId: string, workspaceId = 'T1') => ({ workspaceId, channelId, options: {} });
const post = makePost(1, { title: 'Grants <!channel>', summary: 'Hello <!here> & <@U123>' });

let fake: FakeSlack;
let announcer: SlackAnnouncer;
beforeEach(async () => {
  fake = new FakeSlack();
  await fake.start();
  fake.tokens.set(TOKEN, { teamId: 'T1', botId: 'B1', botUserId: 'U0BOT' });
  fake.channels.set('C1', {});
  announcer = new SlackAnnouncer({ apiUrl: fake.apiUrl, tokens: staticBotToken(TOKEN), timeoutMs: 5_000 });
});
afterEach(async () => {
  await fake.stop();
});

/** The DeliveryError an announcement fails with. */
async function failure(channelId = 'C1'): Promise<DeliveryError> {
  const error = await announcer.announce(post, target(channelId), 'nonce').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('SlackAnnouncer against a fake Slack', () => {
  it('posts and edits the card style with its template, within Block Kit limits', async () => {
    const options = { style: 'card' as const, template: 'New: {{title}} ({{feed}})' };
    const delivered = await announcer.announce(post, { ...target('C1'), options }, 'nonce-card');
    const [message] = fake.messages;
    expect(message!.blocks.map((block) => (block as { type: string }).type)).toEqual(['section', 'card']);
    expect(JSON.stringify(message!.blocks[0])).toContain('New: Grants &lt;!channel&gt; (psf)');
    await announcer.edit({ ...post, title: 'Corrected' }, { ...target('C1'), options }, delivered);
    expect(fake.updates).toHaveLength(1);
    expect(message!.blocks.map((block) => (block as { type: string }).type)).toEqual(['section', 'card']);
    expect(JSON.stringify(message!.blocks[1])).toContain('Corrected');
    expect(strayControlSequences(message!)).toEqual([]);
  });

  it('is refused with invalid_blocks, as Slack refuses it, when a block breaks a limit', async () => {
    fake.channels.set('C2', {});
    const client = new (await import('@slack/bolt')).webApi.WebClient(TOKEN, {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
    });
    const tooLong = { type: 'card', title: { type: 'mrkdwn', text: 'x'.repeat(151) } };
    const answer = await client.chat
      .postMessage({ channel: 'C2', text: 'x', blocks: [tooLong] as never })
      .catch((error: { data?: { error?: string } }) => error.data);
    expect(answer).toMatchObject({ error: 'invalid_blocks' });
  });

  it('posts the Block Kit announcement with the bot token and returns the message ts', async () => {
    const delivered = await announcer.announce(post, target('C1'), 'nonce');
    expect(fake.messages).toHaveLength(1);
    const [message] = fake.messages;
    expect(delivered).toEqual({ messageId: message!.ts });
    expect(message).toMatchObject({ token: TOKEN, channel: 'C1' });
    expect(message!.params).toMatchObject({ unfurl_links: 'false', unfurl_media: 'false' });
    expect(message!.params).not.toHaveProperty('link_names');
    expect(blockKitProblems(message!)).toEqual([]);
    expect(strayControlSequences(message!)).toEqual([]);
  });

  it.each(['channel_not_found', 'not_in_channel', 'is_archived', 'account_inactive', 'token_revoked'])(
    'maps ok:false %s (HTTP 200) to a permanent failure',
    async (code) => {
      fake.cue('chat.postMessage', { error: code });
      expect(await failure()).toMatchObject({ kind: 'permanent', code });
    },
  );

  it('reports an unknown channel as channel_not_found, permanent', async () => {
    expect(await failure('C404')).toMatchObject({ kind: 'permanent', code: 'channel_not_found' });
  });

  it('maps a 429 to rate_limited with the Retry-After wait, without retrying inside the client', async () => {
    fake.cue('chat.postMessage', { status: 429, retryAfter: 3 });
    expect(await failure()).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000 });
    expect(fake.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('maps a 503 to transient and leaves the retry to the queue', async () => {
    fake.cue('chat.postMessage', { status: 503 });
    expect(await failure()).toMatchObject({ kind: 'transient', code: 'http_503' });
    expect(fake.callsOf('chat.postMessage')).toHaveLength(1);
    expect(fake.messages).toEqual([]);
  });

  it('maps an unreachable Slack to transient', async () => {
    const port = new URL(fake.url).port;
    await fake.stop();
    const offline = new SlackAnnouncer({
      apiUrl: `http://127.0.0.1:${port}/api/`,
      tokens: staticBotToken(TOKEN),
    });
    const error = await offline.announce(post, target('C1'), 'n').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'transient', code: 'network' });
    fake = new FakeSlack();
    await fake.start();
  });
});

describe('SlackAnnouncer with per-workspace tokens from the installation store', () => {
  const prefix = uniquePrefix('slack-tokens');
  const redis = new Redis(testRedisOptions());
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it("uses each workspace's bot token and refuses a workspace without an installation", async () => {
    const store = new RedisInstallationStore(redis, prefix);
    for (const [team, token] of [
      ['T1', TOKEN],
      ['T2', 'xoxb-second'],
    ] as const) {
      await store.storeInstallation({
        team: { id: team },
        enterprise: undefined,
        user: { id: 'U1', token: undefined, scopes: undefined },
        bot: { token, scopes: ['chat:write'], id: 'B', userId: 'UB' },
        isEnterpriseInstall: false,
      });
    }
    fake.tokens.set('xoxb-second', { teamId: 'T2', botId: 'B2', botUserId: 'U0BOT2' });
    fake.channels.set('C2', {});
    const multi = new SlackAnnouncer({ apiUrl: fake.apiUrl, tokens: store });
    await multi.announce(post, target('C1', 'T1'), 'a');
    await multi.announce(post, target('C2', 'T2'), 'b');
    expect(fake.messages.map((m) => [m.channel, m.token])).toEqual([
      ['C1', TOKEN],
      ['C2', 'xoxb-second'],
    ]);
    const error = await multi.announce(post, target('C3', 'T3'), 'c').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'permanent', code: 'not_installed' });
  });
});
