import { afterEach, describe, expect, it } from 'vitest';
import { SlackAnnouncer } from '../../../adapters/slack/announcer.js';
import { SLACK_BOT_SCOPES } from '../../../adapters/slack/scopes.js';
import { postEvent, postSlashCommand } from '../../fakes/slack/sign.js';
import { makePost, makeSubscription } from '../../helpers/delivery-fixtures.js';
import { SIGNING_SECRET, startSlackHarness, type SlackHarness } from './slack-harness.js';

let harness: SlackHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const signed = { signingSecret: SIGNING_SECRET };

/** Runs Slack's side of "Add to Slack" for a workspace: install page, consent (a code), redirect back. */
async function install(h: SlackHarness, teamId: string, state?: string): Promise<Response> {
  const start = await fetch(`${h.baseUrl}/slack/install`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get('location')!);
  expect(authorize.searchParams.get('client_id')).toBe(h.fake.oauthClient.id);
  const scopes = authorize.searchParams.get('scope')?.split(',') ?? [];
  // The one scope list, which has what the look before a re-send needs.
  expect(scopes).toEqual([...SLACK_BOT_SCOPES]);
  expect(scopes).toEqual(expect.arrayContaining(['chat:write.public', 'channels:history', 'groups:history']));
  const cookie = start.headers.get('set-cookie')!.split(';')[0]!;
  const code = `code-${teamId}`;
  h.fake.oauthCodes.set(code, {
    teamId,
    teamName: teamId,
    botToken: `xoxb-${teamId}`,
    botUserId: `U${teamId}`,
    botId: `B${teamId}`,
    scopes,
  });
  const query = new URLSearchParams({ code, state: state ?? authorize.searchParams.get('state')! });
  return fetch(`${h.baseUrl}/slack/oauth_redirect?${query}`, { headers: { cookie } });
}

async function subscribeAsAdmin(h: SlackHarness, teamId: string, channel: string): Promise<string> {
  h.fake.users.set('U0ADMIN', { isAdmin: true });
  h.fake.channels.set(channel, {});
  const id = `${teamId}-${channel}`;
  const res = await postSlashCommand(
    h.eventsUrl,
    {
      text: 'subscribe',
      team_id: teamId,
      channel_id: channel,
      user_id: 'U0ADMIN',
      response_url: h.fake.responseUrl(id),
    },
    signed,
  );
  expect(res.status).toBe(200);
  return String((await h.fake.waitFor(() => h.fake.responses.find((r) => r.id === id))).body.text);
}

const installKey = (h: SlackHarness, teamId: string) => `${h.prefix}:slack:install:team:${teamId}`;

describe('multi-workspace OAuth install', () => {
  it('installs through /slack/oauth_redirect, then app_uninstalled removes everything of that workspace', async () => {
    harness = await startSlackHarness({ oauth: true });
    const done = await install(harness, 'T0NEW');
    expect(done.status).toBe(200);
    expect(harness.fake.callsOf('oauth.v2.access')[0]?.params).toMatchObject({
      code: 'code-T0NEW',
      client_secret: harness.fake.oauthClient.secret,
    });
    expect(JSON.parse((await harness.redis.get(installKey(harness, 'T0NEW')))!)).toMatchObject({
      team: { id: 'T0NEW' },
      bot: { token: 'xoxb-T0NEW', userId: 'UT0NEW', id: 'BT0NEW' },
    });

    // The installed token answers commands and posts announcements for that workspace.
    expect(await subscribeAsAdmin(harness, 'T0NEW', 'C0NEWS')).toMatch(/This channel now gets/);
    expect(harness.fake.callsOf('users.info').at(-1)?.token).toBe('xoxb-T0NEW');
    const announcer = new SlackAnnouncer({ apiUrl: harness.fake.apiUrl, tokens: harness.installations });
    await announcer.announce(makePost(1), { workspaceId: 'T0NEW', channelId: 'C0NEWS', options: {} }, 'n');
    expect(harness.fake.messages.at(-1)).toMatchObject({ token: 'xoxb-T0NEW', channel: 'C0NEWS' });
    await harness.subscriptions.put(
      makeSubscription(1, { platform: 'slack', workspaceId: 'T0OTHER', channelId: 'C1' }),
    );
    await harness.subscriptions.put(
      makeSubscription(2, { platform: 'slack', workspaceId: 'T0NEW', channelId: 'C2' }),
    );

    const res = await postEvent(harness.eventsUrl, 'T0NEW', { type: 'app_uninstalled' }, signed);
    expect(res.status).toBe(200);
    await expect
      .poll(async () => harness!.redis.exists(installKey(harness!, 'T0NEW')), { timeout: 10_000 })
      .toBe(0);
    await expect
      .poll(async () => (await harness!.subscriptions.listWorkspace('slack', 'T0NEW')).length, {
        timeout: 10_000,
      })
      .toBe(0);
    expect((await harness.subscriptions.list()).map((s) => s.workspaceId)).toEqual(['T0OTHER']);
    const after = await announcer
      .announce(makePost(2), { workspaceId: 'T0NEW', channelId: 'C0NEWS', options: {} }, 'n')
      .catch((e: unknown) => e);
    expect(after).toMatchObject({ kind: 'permanent', code: 'not_installed' });
  });

  it('forgets a workspace whose bot token was revoked, but not for user tokens alone', async () => {
    harness = await startSlackHarness({ oauth: true });
    expect((await install(harness, 'T0REV')).status).toBe(200);
    await subscribeAsAdmin(harness, 'T0REV', 'C0REV');
    const userOnly = await postEvent(
      harness.eventsUrl,
      'T0REV',
      { type: 'tokens_revoked', tokens: { oauth: ['U0SOMEONE'] } },
      signed,
    );
    expect(userOnly.status).toBe(200);
    const bot = await postEvent(
      harness.eventsUrl,
      'T0REV',
      { type: 'tokens_revoked', tokens: { bot: ['UT0REV'] } },
      signed,
    );
    expect(bot.status).toBe(200);
    await expect
      .poll(async () => harness!.redis.exists(installKey(harness!, 'T0REV')), { timeout: 10_000 })
      .toBe(0);
    await expect.poll(async () => (await harness!.subscriptions.list()).length, { timeout: 10_000 }).toBe(0);
  });

  it('refuses a redirect whose state was not issued by the install page, exchanging no code', async () => {
    harness = await startSlackHarness({ oauth: true });
    const res = await install(harness, 'T0EVIL', 'forged-state');
    expect(res.status).not.toBe(200);
    expect(harness.fake.callsOf('oauth.v2.access')).toEqual([]);
    expect(await harness.redis.exists(installKey(harness, 'T0EVIL'))).toBe(0);
  });

  it('refuses an unsigned uninstall event', async () => {
    harness = await startSlackHarness({ oauth: true });
    expect((await install(harness, 'T0KEEP')).status).toBe(200);
    const res = await postEvent(
      harness.eventsUrl,
      'T0KEEP',
      { type: 'app_uninstalled' },
      { signingSecret: 'wrong' },
    );
    expect(res.status).toBe(401);
    expect(await harness.redis.exists(installKey(harness, 'T0KEEP'))).toBe(1);
  });
});
