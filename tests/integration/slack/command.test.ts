import { afterEach, describe, expect, it } from 'vitest';
import { createWebServer } from '../../../jobs/web/server.js';
import { blockKitProblems, strayControlSequences } from '../../fakes/slack/block-kit.js';
import type { FakeResponse } from '../../fakes/slack/fake-slack.js';
import { postSlashCommand } from '../../fakes/slack/sign.js';
import { SIGNING_SECRET, startSlackHarness, TEAM, type SlackHarness } from './slack-harness.js';

let harness: SlackHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

const signed = { signingSecret: SIGNING_SECRET };

/** Sends `/psf <text>` as `user` in `channel` and returns the HTTP status and the body posted to response_url. */
async function command(
  h: SlackHarness,
  text: string,
  fields: Record<string, string> = {},
  url = h.eventsUrl,
) {
  const id = `r${h.fake.responses.length}-${Math.random()}`;
  const res = await postSlashCommand(url, { text, response_url: h.fake.responseUrl(id), ...fields }, signed);
  expect(res.status).toBe(200);
  const response = await h.fake.waitFor(() => h.fake.responses.find((r) => r.id === id));
  return response.body as FakeResponse['body'] & { text: string; blocks?: unknown[] };
}

const newest = (h: SlackHarness, n: number) =>
  [...h.posts].sort((a, b) => Date.parse(b.publishedAt!) - Date.parse(a.publishedAt!)).slice(0, n);

describe('/psf on Slack over HTTP (real Bolt, signed requests)', () => {
  it('acks a signed `/psf latest 3` and answers privately at response_url with the three newest posts', async () => {
    harness = await startSlackHarness();
    const body = await command(harness, 'latest 3');
    expect(body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    const sections = JSON.stringify(body.blocks);
    for (const post of newest(harness, 3)) expect(sections).toContain(post.url!);
    expect(sections).not.toContain(newest(harness, 4)[3]!.url!);
    expect(blockKitProblems({ text: body.text, blocks: body.blocks ?? [] })).toEqual([]);
    expect(strayControlSequences({ text: body.text, blocks: body.blocks ?? [] })).toEqual([]);
  });

  it('shares in the channel when asked', async () => {
    harness = await startSlackHarness();
    expect(await command(harness, 'latest 2 share')).toMatchObject({ response_type: 'in_channel' });
  });

  it('refuses a bad signature and a 10-minute-old timestamp with 401, running nothing', async () => {
    harness = await startSlackHarness();
    const fields = { text: 'latest 3', response_url: harness.fake.responseUrl('forged') };
    const forged = await postSlashCommand(harness.eventsUrl, fields, {
      ...signed,
      signature: `v0=${'0'.repeat(64)}`,
    });
    expect(forged.status).toBe(401);
    const wrongSecret = await postSlashCommand(harness.eventsUrl, fields, {
      signingSecret: 'not-the-secret',
    });
    expect(wrongSecret.status).toBe(401);
    const stale = await postSlashCommand(harness.eventsUrl, fields, {
      ...signed,
      timestampSec: Math.floor(Date.now() / 1000) - 600,
    });
    expect(stale.status).toBe(401);
    // A valid request afterwards is answered; the refused ones never reached the handler.
    await command(harness, 'help');
    expect(harness.fake.responses.map((r) => r.id)).not.toContain('forged');
  });

  it('subscribes with a quoted template and the card style, storing the template as the admin typed it', async () => {
    harness = await startSlackHarness();
    harness.fake.users.set('U0ADMIN', { isAdmin: true });
    harness.fake.channels.set('C0GENERAL', { isMember: true });
    // Slack sends typed `&`, `<` and `>` as entities, and clients often turn quotes curly.
    const text = 'subscribe psf style card template “{{title}} &gt; {{author||text::Q&amp;A}}”';
    const body = await command(harness, text, { user_id: 'U0ADMIN' });
    expect(body.text).toContain('in the card style');
    const [sub] = await harness.subscriptions.listWorkspace('slack', TEAM);
    expect(sub?.options).toMatchObject({ style: 'card', template: '{{title}} > {{author||text::Q&A}}' });
    const refused = await command(harness, 'subscribe style components', { user_id: 'U0ADMIN' });
    expect(refused.text).toContain('On Slack the style is `blocks` or `card`.');
  });

  it('answers `/psf follow` with follows being a Discord feature, pointing to subscribe', async () => {
    harness = await startSlackHarness();
    for (const text of ['follow psf', 'unfollow'])
      expect((await command(harness, text, { user_id: 'U0ADMIN' })).text).toMatch(
        /Follows are a Discord feature .*`subscribe` announces posts in this channel/,
      );
  });

  it('refuses subscribe from a member who is not a workspace admin', async () => {
    harness = await startSlackHarness();
    harness.fake.users.set('U0MEMBER', { isAdmin: false });
    harness.fake.channels.set('C0GENERAL', { isMember: false });
    const body = await command(harness, 'subscribe');
    expect(body.text).toMatch(/^:warning: Only members who can manage/);
    expect(await harness.subscriptions.list()).toEqual([]);
    expect(harness.fake.callsOf('users.info')[0]?.params.user).toBe('U0MEMBER');
  });

  it('accepts subscribe from a workspace admin and from a configured admin user', async () => {
    harness = await startSlackHarness({ adminUsers: ['U0CONFIGURED'] });
    harness.fake.users.set('U0ADMIN', { isAdmin: true });
    harness.fake.channels.set('C0GENERAL', { isMember: false });
    harness.fake.channels.set('C0NEWS', { isMember: true });
    expect((await command(harness, 'subscribe', { user_id: 'U0ADMIN' })).text).toMatch(
      /This channel now gets/,
    );
    await command(harness, 'subscribe psf grants', { user_id: 'U0CONFIGURED', channel_id: 'C0NEWS' });
    const subs = await harness.subscriptions.listWorkspace('slack', TEAM);
    expect(subs.map((s) => [s.channelId, s.createdBy, s.tags])).toEqual(
      expect.arrayContaining([
        ['C0GENERAL', 'U0ADMIN', []],
        ['C0NEWS', 'U0CONFIGURED', ['grants']],
      ]),
    );
    expect(harness.fake.callsOf('users.info').map((c) => c.params.user)).toEqual(['U0ADMIN']);
  });

  it('acks before doing any work: the HTTP 200 arrives while users.info is still unanswered', async () => {
    harness = await startSlackHarness();
    harness.fake.users.set('U0ADMIN', { isAdmin: true });
    harness.fake.channels.set('C0GENERAL', { isMember: true });
    const release = harness.fake.hold('users.info');
    const res = await postSlashCommand(
      harness.eventsUrl,
      { text: 'subscribe', user_id: 'U0ADMIN', response_url: harness.fake.responseUrl('held') },
      signed,
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    await harness.fake.waitFor(() => harness!.fake.callsOf('users.info').length === 1);
    expect(harness.fake.responses).toEqual([]);
    release();
    const response = await harness.fake.waitFor(() => harness!.fake.responses.find((r) => r.id === 'held'));
    expect(String(response.body.text)).toMatch(/This channel now gets/);
  });

  it('tells an admin to invite the bot into a private channel it is not in, and subscribes nothing', async () => {
    harness = await startSlackHarness();
    harness.fake.users.set('U0OWNER', { isOwner: true });
    harness.fake.channels.set('G0SECRET', { isPrivate: true, isMember: false });
    const body = await command(harness, 'subscribe', { user_id: 'U0OWNER', channel_id: 'G0SECRET' });
    expect(body.text).toMatch(/Invite me first/);
    expect(await harness.subscriptions.list()).toEqual([]);
  });

  it('answers a parse error privately without calling Slack', async () => {
    harness = await startSlackHarness();
    const calls = harness.fake.calls.length;
    const body = await command(harness, 'latest 99 share');
    expect(body).toMatchObject({ response_type: 'ephemeral' });
    expect(body.text).toMatch(/^:warning: /);
    expect(harness.fake.calls.length).toBe(calls);
  });

  it('works mounted on the one HTTP server', async () => {
    harness = await startSlackHarness({ listen: false });
    const web = createWebServer({
      config: { port: 0 },
      host: '127.0.0.1',
      mounts: [{ router: harness.bot.router! }],
    });
    const port = await web.listen();
    try {
      const url = `http://127.0.0.1:${port}/slack/events`;
      expect((await command(harness, 'latest 1', {}, url)).blocks).toHaveLength(3);
      const forged = await postSlashCommand(url, { text: 'help' }, { signingSecret: 'wrong' });
      expect(forged.status).toBe(401);
    } finally {
      await web.close();
    }
  });
});

describe('/psf on Slack over Socket Mode', () => {
  it('acknowledges the envelope and answers at response_url', async () => {
    harness = await startSlackHarness({ socketMode: true });
    await harness.fake.socketMode.connected();
    const ack = await harness.fake.socketMode.send('slash_commands', {
      command: '/psf',
      text: 'latest 2',
      team_id: TEAM,
      channel_id: 'C0GENERAL',
      user_id: 'U0MEMBER',
      api_app_id: 'A0FAKE',
      response_url: harness.fake.responseUrl('socket'),
      is_enterprise_install: 'false',
    });
    expect(ack.envelope_id).toBeTruthy();
    const response = await harness.fake.waitFor(() => harness!.fake.responses.find((r) => r.id === 'socket'));
    expect(JSON.stringify(response.body)).toContain(newest(harness, 2)[1]!.url!);
    expect(harness.fake.callsOf('apps.connections.open')[0]?.token).toBe('xapp-fake');
  });
});
