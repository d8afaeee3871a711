import { afterEach, describe, expect, it } from 'vitest';
import { SlackAnnouncer } from '../../../adapters/slack/announcer.js';
import { staticBotToken } from '../../../adapters/slack/tokens.js';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import { blockKitProblems } from '../../fakes/slack/block-kit.js';
import { FakeSlack, type FakeResponse } from '../../fakes/slack/fake-slack.js';
import { postSlashCommand } from '../../fakes/slack/sign.js';
import { makePost } from '../../helpers/delivery-fixtures.js';
import { SIGNING_SECRET, startSlackHarness, TEAM, type SlackHarness } from './slack-harness.js';

const TOKEN = 'xoxb-communities';
let fake: FakeSlack | undefined;
let harness: SlackHarness | undefined;
afterEach(async () => {
  await fake?.stop();
  await harness?.stop();
  fake = undefined;
  harness = undefined;
});

async function announcerOnFake(): Promise<{ fake: FakeSlack; announcer: SlackAnnouncer }> {
  fake = new FakeSlack();
  await fake.start();
  fake.tokens.set(TOKEN, { teamId: 'T1', botId: 'B1', botUserId: 'U0BOT' });
  fake.channels.set('C1', {});
  return {
    fake,
    announcer: new SlackAnnouncer({ apiUrl: fake.apiUrl, tokens: staticBotToken(TOKEN), timeoutMs: 5_000 }),
  };
}

describe('Slack announcements: user group mention and edits', () => {
  it('mentions the subscription’s user group, and only that: feed text stays escaped', async () => {
    const { fake, announcer } = await announcerOnFake();
    const post = makePost(1, { summary: 'Hello <!here> and <!subteam^SEVIL>' });
    await announcer.announce(
      post,
      { workspaceId: 'T1', channelId: 'C1', options: { mentionRoleId: 'S0PSF' } },
      'n',
    );
    const [message] = fake.messages;
    expect(message!.text.startsWith('<!subteam^S0PSF> ')).toBe(true);
    expect(message!.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '<!subteam^S0PSF>' },
    });
    expect(JSON.stringify(message!.blocks)).not.toContain('<!here>');
    expect(JSON.stringify(message!.blocks)).not.toContain('<!subteam^SEVIL>');
    expect(blockKitProblems(message!)).toEqual([]);
  });

  it('edits with chat.update at the recorded ts and never posts a new message', async () => {
    const { fake, announcer } = await announcerOnFake();
    const target = { workspaceId: 'T1', channelId: 'C1', options: {} };
    const delivered = await announcer.announce(makePost(2, { title: 'Old title' }), target, 'n');
    await announcer.edit(makePost(2, { title: 'New title' }), target, delivered);
    expect(fake.messages).toHaveLength(1);
    expect(fake.callsOf('chat.update')).toHaveLength(1);
    expect(fake.updates).toEqual([expect.objectContaining({ channel: 'C1', ts: delivered.messageId })]);
    expect(JSON.stringify(fake.messages[0]!.blocks)).toContain('New title');
    const gone = await announcer
      .edit(makePost(2), target, { messageId: '1.000001' })
      .catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(DeliveryError);
    expect(gone).toMatchObject({ kind: 'unsendable', code: 'message_not_found' });
  });
});

describe('/psf subscribe on Slack with -tag and mention @group', () => {
  async function command(h: SlackHarness, text: string) {
    const id = `r${h.fake.responses.length}-${Math.random()}`;
    const fields = { text, response_url: h.fake.responseUrl(id), user_id: 'U0ADMIN', channel_id: 'C0NEWS' };
    const res = await postSlashCommand(h.eventsUrl, fields, { signingSecret: SIGNING_SECRET });
    expect(res.status).toBe(200);
    const response = await h.fake.waitFor(() => h.fake.responses.find((r) => r.id === id));
    return (response.body as FakeResponse['body'] & { text: string }).text;
  }

  it('resolves @handle with usergroups.list, keeps options not given, and refuses an unknown group', async () => {
    harness = await startSlackHarness();
    harness.fake.users.set('U0ADMIN', { isAdmin: true });
    harness.fake.channels.set('C0NEWS', { isMember: true });
    harness.fake.userGroups = [{ id: 'S0PSFNEWS', handle: 'psf-news', name: 'PSF news' }];
    expect(await command(harness, 'subscribe psf pycon, -sponsors mention @PSF-News')).toMatch(
      /posts from psf tagged pycon, not tagged sponsors, mentioning user group S0PSFNEWS/,
    );
    expect(await command(harness, 'subscribe mention @nobody')).toMatch(/No user group @nobody/);
    expect(await command(harness, 'subscribe psf')).toMatch(
      /psf tagged pycon, not tagged sponsors, mentioning/,
    );
    const [sub] = await harness.subscriptions.listWorkspace('slack', TEAM);
    expect(sub).toMatchObject({
      tags: ['pycon'],
      excludedTags: ['sponsors'],
      options: { mentionRoleId: 'S0PSFNEWS' },
    });
    expect(await command(harness, 'subscribe mention none')).not.toMatch(/mentioning/);
  });

  it('accepts a user group by id only when it exists in this workspace and is enabled', async () => {
    harness = await startSlackHarness();
    harness.fake.users.set('U0ADMIN', { isAdmin: true });
    harness.fake.channels.set('C0NEWS', { isMember: true });
    harness.fake.userGroups = [
      { id: 'S0LIVE', handle: 'live', name: 'Live' },
      { id: 'S0OLD', handle: 'old', name: 'Old', date_delete: 1_700_000_000 },
      { id: 'S0ELSEWHERE', handle: 'elsewhere', name: 'Elsewhere', teamId: 'T0OTHER' },
    ];
    expect(await command(harness, 'subscribe mention S0LIVE')).toMatch(/mentioning user group S0LIVE/);
    expect(await command(harness, 'subscribe mention S0NOPE')).toMatch(/No user group S0NOPE/);
    expect(await command(harness, 'subscribe mention S0ELSEWHERE')).toMatch(/No user group S0ELSEWHERE/);
    expect(await command(harness, 'subscribe mention S0OLD')).toMatch(/user group S0OLD is disabled/);
    expect(await command(harness, 'subscribe mention @old')).toMatch(/user group @old is disabled/);
    const [sub] = await harness.subscriptions.listWorkspace('slack', TEAM);
    expect(sub?.options.mentionRoleId).toBe('S0LIVE');
  });
});
