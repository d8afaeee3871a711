import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { SlackAnnouncer } from '../../../adapters/slack/announcer.js';
import { staticBotToken } from '../../../adapters/slack/tokens.js';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import type { Digest } from '../../../src/digests/digest.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { messageBodyProblems } from '../../fakes/discord/validate.js';
import { blockKitProblems, strayControlSequences } from '../../fakes/slack/block-kit.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { digestNonce } from '../../../jobs/queues.js';
import { parseFeed } from '../../../src/feeds/parse.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';

const CHANNEL = '700000000000000020';
const MESSAGES = /^\/channels\/\d+\/messages$/;

/** The newest PSF posts as a weekly digest: 10 listed, 4 more counted. */
async function archiveDigest(): Promise<Digest> {
  const posts = (await parseFeed(readFixture(FIXTURES.bloggerAtom), 'psf')).posts.slice(0, 14);
  return { cadence: 'weekly', periodEnd: '2026-02-16T15:00:00.000Z', posts: posts.slice(0, 10), more: 4 };
}

let discord: FakeDiscord;
let slack: FakeSlack;
beforeAll(async () => {
  discord = await FakeDiscord.start();
  slack = new FakeSlack();
  await slack.start();
  slack.tokens.set('xoxb-digest', { teamId: 'T1', botId: 'B1', botUserId: 'U0BOT' });
  slack.channels.set('C1', {});
});
afterAll(async () => {
  await discord.stop();
  await slack.stop();
});

describe('a digest on the real platforms’ wire', () => {
  it('reaches the fake Discord as one valid embed message with the nonce, once however often it is sent', async () => {
    const announcer = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl });
    const digest = await archiveDigest();
    const channel = { platform: 'discord' as const, workspaceId: '700000000000000001', channelId: CHANNEL };
    const nonce = digestNonce(channel, 'weekly-2026-02-16');
    const target = { workspaceId: channel.workspaceId, channelId: CHANNEL, options: { crosspost: true } };
    const first = await announcer.sendDigest(digest, target, nonce);
    const again = await announcer.sendDigest(digest, target, nonce);
    expect(again.messageId).toBe(first.messageId);
    expect(discord.rest.messages.get(CHANNEL)).toHaveLength(1);
    const [request] = discord.rest.find('POST', MESSAGES);
    expect(messageBodyProblems(request?.body)).toEqual([]);
    expect(request?.body).toMatchObject({ nonce, enforce_nonce: true, allowed_mentions: { parse: [] } });
    const description = (request?.body as { embeds: { description: string }[] }).embeds[0]!.description;
    expect(description.split('\n')).toHaveLength(11);
    expect(description).toMatch(/…and 4 more$/);
    expect(discord.rest.find('POST', /crosspost/)).toEqual([]);
  });

  it('goes to a Discord forum as one forum post named after the digest, with the forum tags its posts carry', async () => {
    const forum = '700000000000000030';
    const tags = discord.rest.threads.addForum(forum, ['Board of Directors', 'Elsewhere']);
    const announcer = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl });
    const digest = await archiveDigest();
    digest.posts[0] = { ...digest.posts[0]!, tags: ['board-of-directors'] };
    const target = { workspaceId: '700000000000000001', channelId: forum, options: { forum: true } };
    const delivered = await announcer.sendDigest(digest, target, 'n-forum');
    const thread = discord.rest.threads.threads.get(delivered.threadId!)!;
    expect(thread).toMatchObject({ parentId: forum, name: 'PSF news: weekly digest, 2026-02-16' });
    expect(thread.appliedTags).toEqual([tags[0]!.id]);
    const [first] = discord.rest.messages.get(delivered.threadId!)!;
    expect(first!.id).toBe(delivered.messageId);
    expect(first!.embeds).toHaveLength(1);
    expect(discord.rest.messages.get(forum)).toBeUndefined();
  });

  it('fails on Discord with the same error kinds as an announcement', async () => {
    const announcer = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl });
    discord.cueError('POST', MESSAGES, 403, 50001, 'Missing Access');
    const target = { workspaceId: '1', channelId: CHANNEL, options: {} };
    const error = await announcer.sendDigest(await archiveDigest(), target, 'n-403').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ kind: 'permanent', code: '50001' });
  });

  it('reaches the fake Slack as one valid Block Kit message', async () => {
    const announcer = new SlackAnnouncer({ apiUrl: slack.apiUrl, tokens: staticBotToken('xoxb-digest') });
    const delivered = await announcer.sendDigest(
      await archiveDigest(),
      { workspaceId: 'T1', channelId: 'C1', options: {} },
      'n',
    );
    expect(slack.messages).toHaveLength(1);
    const [message] = slack.messages;
    expect(delivered.messageId).toBe(message!.ts);
    expect(blockKitProblems(message!)).toEqual([]);
    expect(strayControlSequences(message!)).toEqual([]);
    expect(message!.blocks).toHaveLength(12);
  });
});
