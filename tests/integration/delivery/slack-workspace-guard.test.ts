import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SlackAnnouncer } from '../../../adapters/slack/announcer.js';
import type { SlackTokenSource } from '../../../adapters/slack/tokens.js';
import { deliverySafety, deliveryStatusNotes, guardReadiness } from '../../../jobs/delivery/safety.js';
import { postKey } from '../../../src/posts/identity.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;
let harness: Harness | undefined;
let slack: FakeSlack;

beforeAll(async () => {
  slack = new FakeSlack();
  await slack.start();
});
afterEach(async () => {
  slack.intercept = null;
  await harness?.close();
  harness = undefined;
});
afterAll(async () => {
  await slack.stop();
});

const slackSub = (workspaceId: string, channelId: string) =>
  makeSubscription(0, { platform: 'slack', workspaceId, channelId });

// Each Slack workspace has its own token: one whose uninstall was missed answers `token_revoked` to every call
// (its probe too). Its channels trip the guard; that must hold that workspace alone, never the others.
describe('the mass-disable guard on Slack', () => {
  it("one workspace's revoked token holds only that workspace; the others keep flowing", async () => {
    const first = makePost(1);
    const post = makePost(2);
    const tokens: SlackTokenSource = { botToken: async (team) => `xoxb-${team}` };
    slack.tokens.set('xoxb-TGONE', { teamId: 'TGONE', botId: 'B1', botUserId: 'U1' });
    slack.tokens.set('xoxb-TLIVE', { teamId: 'TLIVE', botId: 'B2', botUserId: 'U2' });
    const gone = ['CG1', 'CG2', 'CG3', 'CG4', 'CG5', 'CG6'];
    const live = ['CL1', 'CL2', 'CL3', 'CL4'];
    for (const id of [...gone, ...live]) slack.channels.set(id, { isMember: true });
    slack.intercept = (call) => (call.token === 'xoxb-TGONE' ? { error: 'token_revoked' } : null);
    const prefix = uniquePrefix('slack-ws-guard');
    harness = await startHarness({
      prefix,
      announcers: { slack: new SlackAnnouncer({ apiUrl: slack.apiUrl, tokens }) },
      posts: [first, post],
      subscriptions: gone.map((id) => slackSub('TGONE', id)),
      slackIntervalMs: 50,
      probeMs: 200,
    });
    const safety = deliverySafety(harness.redis, prefix);
    const ready = guardReadiness(safety.guard, ['slack']);
    await harness.sink.enqueue([first]);
    let reported: string | boolean = true;
    await waitFor(async () => (reported = await ready()) !== true, 'readiness to name the pause');
    expect(reported).toMatch(/TGONE/);

    for (const id of live) await harness.subscriptions.put(slackSub('TLIVE', id));
    await harness.sink.enqueue([post]);
    await waitFor(
      async () =>
        (await harness!.ledger.forPost(postKey(post.feed, post.id))).filter(
          (r) => r.channel.workspaceId === 'TLIVE',
        ).length === live.length,
      'the other workspace to receive the post',
    );
    expect(slack.messages.filter((m) => live.includes(m.channel))).toHaveLength(live.length);
    expect(await harness.deliverQueues.slack!.isPaused()).toBe(false);
    // The revoked workspace is held (not disabled channel by channel), and said so in status. Only the channels
    // that answered before the guard tripped are disabled; they stay so until a probe succeeds and Slack is
    // asked about each (never, with a revoked token: its uninstall event removes them).
    expect(await ready()).toMatch(/^slack workspace TGONE paused by the mass-disable guard \(token_revoked/);
    // Keyed by the workspace it concerns, with no words shared with the other workspaces.
    const notes = await deliveryStatusNotes(safety, ['slack']);
    expect(notes).toEqual([
      {
        tenant: { platform: 'slack', workspaceId: 'TGONE' },
        text: expect.stringMatching(/workspace TGONE are PAUSED/),
      },
    ]);
    const disabled = (await harness.subscriptions.list()).filter((sub) => sub.disabledReason !== null);
    expect(disabled.length).toBeLessThan(5);
    expect(disabled.every((sub) => sub.workspaceId === 'TGONE')).toBe(true);
  });

  it('confirms channel-level codes with conversations.info: archived and deleted channels are disabled, the rest re-driven', async () => {
    const post = makePost(3);
    const tokens: SlackTokenSource = { botToken: async (team) => `xoxb-${team}` };
    slack.tokens.set('xoxb-TCHAN', { teamId: 'TCHAN', botId: 'B3', botUserId: 'U3' });
    const archived = ['CA1', 'CA2', 'CA3'];
    const deleted = ['CD1', 'CD2'];
    // Until the guard asks, Slack answers not_in_channel in these, but conversations.info then shows the app
    // in them: a glitch, not a loss.
    const glitched = ['CN1', 'CN2'];
    const healthy = ['CH1', 'CH2', 'CH3'];
    for (const id of archived) slack.channels.set(id, { isMember: true, isArchived: true });
    for (const id of [...glitched, ...healthy]) slack.channels.set(id, { isMember: true });
    const asked = () => slack.calls.some((call) => call.method === 'conversations.info');
    slack.intercept = (call) =>
      call.method === 'chat.postMessage' && glitched.includes(call.params.channel ?? '') && !asked()
        ? { error: 'not_in_channel' }
        : null;
    const prefix = uniquePrefix('slack-channel-codes');
    harness = await startHarness({
      prefix,
      announcers: { slack: new SlackAnnouncer({ apiUrl: slack.apiUrl, tokens }) },
      posts: [post],
      subscriptions: [...archived, ...deleted, ...glitched, ...healthy].map((id) => slackSub('TCHAN', id)),
      slackIntervalMs: 50,
      probeMs: 200,
    });
    const calls = slack.calls.length;
    await harness.sink.enqueue([post]);
    await waitFor(
      async () =>
        (await harness!.ledger.forPost(postKey(post.feed, post.id))).length ===
        glitched.length + healthy.length,
      'the reachable channels to get the post',
    );
    await waitFor(() => harness!.idle(), 'every job to end');
    expect(harness.counters.snapshot().slack.held).toBeGreaterThan(0);
    const reasons = Object.fromEntries(
      (await harness.subscriptions.list()).map((sub) => [sub.channelId, sub.disabledReason]),
    );
    for (const id of archived) expect(reasons[id]).toMatch(/^is_archived: /);
    for (const id of deleted) expect(reasons[id]).toMatch(/^channel_not_found: /);
    for (const id of [...glitched, ...healthy]) expect(reasons[id]).toBeNull();
    expect(await deliverySafety(harness.redis, prefix).guard.trips('slack')).toEqual([]);
    // A few calls per lost channel: the refused post and one conversations.info.
    const lostCalls = slack.calls
      .slice(calls)
      .filter((call) => [...archived, ...deleted].includes(call.params.channel ?? ''));
    for (const id of [...archived, ...deleted])
      expect(lostCalls.filter((call) => call.params.channel === id).length).toBeLessThanOrEqual(2);
  });

  it("a token answering for another workspace disables none of this workspace's channels", async () => {
    const post = makePost(7);
    const tokens: SlackTokenSource = { botToken: async (team) => `xoxb-${team}` };
    // The token stored for TMIX is TOTHER's: it works, but none of TMIX's channels exist for it.
    slack.tokens.set('xoxb-TMIX', { teamId: 'TOTHER', botId: 'B9', botUserId: 'U9' });
    const channels = ['CM1', 'CM2', 'CM3', 'CM4', 'CM5', 'CM6'];
    for (const id of channels) slack.channels.set(id, { isMember: true });
    slack.intercept = (call) =>
      call.token === 'xoxb-TMIX' && call.method !== 'auth.test' ? { error: 'channel_not_found' } : null;
    const prefix = uniquePrefix('slack-ws-other-team');
    harness = await startHarness({
      prefix,
      announcers: { slack: new SlackAnnouncer({ apiUrl: slack.apiUrl, tokens }) },
      posts: [post],
      subscriptions: channels.map((id) => slackSub('TMIX', id)),
      slackIntervalMs: 50,
      probeMs: 100,
    });
    const safety = deliverySafety(harness.redis, prefix);
    const ready = guardReadiness(safety.guard, ['slack']);
    await harness.sink.enqueue([post]);
    let reported: string | boolean = true;
    await waitFor(
      async () => /workspace TOTHER/.test(String((reported = await ready()))),
      'readiness to say whose token it is',
    );
    expect(reported).toContain('the Slack token used for workspace TMIX is the token of workspace TOTHER');
    // Several probe rounds later: still paused, never confirmed with that token, nothing disabled past the
    // channels that answered before the guard tripped (they stay held, not confirmed lost).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(slack.callsOf('conversations.info').filter((call) => call.token === 'xoxb-TMIX')).toEqual([]);
    expect(await safety.guard.trips('slack')).toHaveLength(1);
    const disabled = (await harness.subscriptions.list()).filter((sub) => sub.disabledReason !== null);
    expect(disabled.length).toBeLessThan(5);
    const held = (await safety.guard.suspects('slack:TMIX')).map((suspect) => suspect.channel.channelId);
    for (const sub of disabled) expect(held).toContain(sub.channelId);
  });
});
