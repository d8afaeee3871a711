import { describe, expect, it } from 'vitest';
import { testAnnouncer } from '../../../jobs/delivery/lookup.js';
import type { DeliveryState, Reply } from '../../../src/commands/types.js';
import { CommandCore } from '../../../src/commands/command-core.js';
import { MemoryDecisionLog } from '../../../src/delivery/decisions.js';
import { MemoryDeliveryLedger } from '../../../src/delivery/ledger.js';
import { ScriptedAnnouncer } from '../../../src/delivery/scripted-announcer.js';
import { postKey } from '../../../src/posts/identity.js';
import type { Subscription } from '../../../src/subscriptions/subscription.js';
import { makePost } from '../store/post-store.contract.js';
import { ADMIN, MEMBER, makeCore } from './core-fixture.js';

const POSTS = [
  makePost({
    id: 'pycon',
    title: 'PyCon US 2026 registration',
    tags: ['PyCon US'],
    publishedAt: '2026-02-20T00:00:00.000Z',
  }),
  makePost({
    id: 'sponsor',
    title: 'Thanks to our sponsors',
    tags: ['Sponsors'],
    publishedAt: '2026-02-25T00:00:00.000Z',
  }),
  makePost({
    id: 'old',
    title: 'Board election results',
    tags: ['Board'],
    publishedAt: '2025-01-01T00:00:00.000Z',
  }),
];
const CHANNEL = { platform: 'slack' as const, workspaceId: 'T1', channelId: 'C1' };
const text = (reply: Reply) =>
  reply.kind === 'text' ? reply.text : reply.kind === 'error' ? reply.message : reply.heading;

function subscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    ...CHANNEL,
    feeds: [],
    tags: [],
    options: {},
    createdBy: 'U2',
    createdAt: '2026-01-01T00:00:00.000Z',
    disabledReason: null,
    disabledAt: null,
    ...overrides,
  };
}

async function setup(state: DeliveryState = { state: 'none' }) {
  const base = await makeCore(POSTS);
  const ledger = new MemoryDeliveryLedger();
  const decisions = new MemoryDecisionLog();
  const announcer = new ScriptedAnnouncer('slack');
  const core = new CommandCore({
    ...base,
    ledger,
    decisions,
    deliveries: { state: async () => state },
    testAnnouncer: testAnnouncer({ slack: announcer }),
  });
  await base.subscriptions.put(subscription());
  const why = async (query: string) => text(await core.handle({ name: 'why', query }, MEMBER));
  return { ...base, core, ledger, decisions, announcer, why };
}

describe('/psf why', () => {
  it('says when and where a post was announced here, with a link', async () => {
    const { ledger, why } = await setup();
    await ledger.record(postKey('psf', 'pycon'), CHANNEL, {
      messageId: '1700000000.000100',
      deliveredAt: '2026-02-20T01:00:00.000Z',
    });
    expect(await why('https://example.org/pycon')).toBe(
      '“PyCon US 2026 registration”: announced here 2026-02-20T01:00:00.000Z: https://slack.com/archives/C1/p1700000000000100',
    );
  });

  it('finds the post by id or by words of its title', async () => {
    const { why } = await setup();
    expect(await why('sponsor')).toMatch(/^“Thanks to our sponsors”/);
    expect(await why('<https://example.org/pycon|example.org/pycon>')).toMatch(
      /^“PyCon US 2026 registration”/,
    );
    expect(await why('board election')).toMatch(/^“Board election results”/);
    expect(await why('zzzz qqqq')).toMatch(/No post matches/);
  });

  it('answers a query that matches no post with a plain reply, as tag does, not an error', async () => {
    const { core } = await setup();
    expect(await core.handle({ name: 'why', query: 'zzzz' }, MEMBER)).toEqual({
      kind: 'text',
      text: 'No post matches “zzzz”. Try its URL or words of its title.',
    });
  });

  it('gives each reason a post was not announced, in one line', async () => {
    const { decisions, why, subscriptions } = await setup();
    const key = (id: string) => postKey('psf', id);
    await decisions.recordSeeded(key('old'), { kind: 'too_old', publishedAt: '2025-01-01T00:00:00.000Z' });
    expect(await why('old')).toMatch(/older than the age limit \(published 2025-01-01/);
    await decisions.recordSeeded(key('old'), { kind: 'first_sight' });
    expect(await why('old')).toMatch(/known from the first sight of feed psf/);
    await decisions.recordSeeded(key('old'), { kind: 'moved', knownAs: { feed: 'psf', id: 'blogger-1' } });
    expect(await why('old')).toMatch(/known from a feed move \(as blogger-1 in feed psf\)/);

    await decisions.recordFanout(key('sponsor'), '2026-02-25T00:05:00.000Z', [
      { channel: CHANNEL, decision: { kind: 'excluded_tag', tag: 'sponsors' } },
    ]);
    expect(await why('sponsor')).toMatch(/excluded by the tag filter \(-sponsors\)/);
    await decisions.recordFanout(key('sponsor'), '2026-02-25T00:05:00.000Z', [
      { channel: CHANNEL, decision: { kind: 'no_included_tag', tags: ['grants'] } },
    ]);
    expect(await why('sponsor')).toMatch(/none of this channel's tags \(grants\)/);
    await decisions.recordFanout(key('sponsor'), '2026-02-25T00:05:00.000Z', [
      { channel: CHANNEL, decision: { kind: 'disabled', reason: 'channel_not_found: gone' } },
    ]);
    expect(await why('sponsor')).toMatch(/subscription was disabled \(channel_not_found: gone\)/);

    // Announced before this subscription existed: fan-out recorded no decision for it.
    await decisions.recordFanout(key('pycon'), '2026-02-20T00:05:00.000Z', []);
    await subscriptions.put(subscription({ createdAt: '2026-02-22T00:00:00.000Z' }));
    expect(await why('pycon')).toMatch(
      /published before this subscription \(announced 2026-02-20T00:05:00.000Z; subscribed 2026-02-22/,
    );
    await subscriptions.remove(CHANNEL);
    expect(await why('pycon')).toMatch(/this channel has no subscription/);
  });

  it('reports a failed delivery with its error and how to re-drive it, and a queued one as queued', async () => {
    for (const [state, expected] of [
      [
        { state: 'failed', error: 'http_503: 503 Service Unavailable' },
        /delivery failed: http_503: 503 Service Unavailable\. `psf-bot deliveries retry` can re-drive it/,
      ],
      [{ state: 'queued' }, /still queued for delivery/],
      [
        { state: 'skipped', reason: 'forum_tag_required: this forum requires a tag' },
        /not delivered: forum_tag_required/,
      ],
    ] as const) {
      const { decisions, why } = await setup(state as DeliveryState);
      await decisions.recordFanout(postKey('psf', 'pycon'), '2026-02-20T00:05:00.000Z', [
        { channel: CHANNEL, decision: { kind: 'match' } },
      ]);
      expect(await why('pycon')).toMatch(expected);
    }
  });
});

describe('/psf test', () => {
  it('posts the newest post the subscription would receive, as an announcement, recording no delivery', async () => {
    const { core, subscriptions, announcer, ledger } = await setup();
    await subscriptions.put(
      subscription({ excludedTags: ['sponsors'], options: { mentionRoleId: 'S0PSF' } }),
    );
    const reply = await core.handle({ name: 'test' }, ADMIN);
    expect(text(reply)).toMatch(
      /^Test announcement of “PyCon US 2026 registration” posted: .*\(not recorded as a delivery\)\.$/,
    );
    expect(announcer.sent.map((sent) => [sent.post.id, sent.target.channelId, sent.target.options])).toEqual([
      ['pycon', 'C1', { mentionRoleId: 'S0PSF' }],
    ]);
    expect(await ledger.forPost(postKey('psf', 'pycon'))).toEqual([]);
  });

  it('is for channel managers, in a subscribed channel, and shows a failure with what to check', async () => {
    const { core, subscriptions, announcer } = await setup();
    expect(text(await core.handle({ name: 'test' }, MEMBER))).toMatch(/Only members who can manage/);
    announcer.failNext(1, { kind: 'permanent', code: 'not_in_channel' });
    expect(text(await core.handle({ name: 'test' }, ADMIN))).toMatch(
      /failed: not_in_channel: .*Check the bot’s permissions/,
    );
    await subscriptions.remove(CHANNEL);
    expect(text(await core.handle({ name: 'test' }, ADMIN))).toMatch(/no subscription: `subscribe` first/);
  });

  it('finds the newest post with the channel’s tags however many newer posts lack them', async () => {
    const newer = Array.from({ length: 250 }, (_, i) =>
      makePost({ id: `n${i}`, publishedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() }),
    );
    const old = makePost({ id: 'grant-2006', tags: ['Grants'], publishedAt: '2006-11-17T00:00:00.000Z' });
    const base = await makeCore([...newer, old]);
    const announcer = new ScriptedAnnouncer('slack');
    const core = new CommandCore({ ...base, testAnnouncer: testAnnouncer({ slack: announcer }) });
    await base.subscriptions.put(subscription({ tags: ['grants'] }));
    expect(text(await core.handle({ name: 'test' }, ADMIN))).toMatch(
      /^Test announcement of “Post grant-2006”/,
    );
  });
});
