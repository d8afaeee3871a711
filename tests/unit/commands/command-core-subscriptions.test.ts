import { describe, expect, it } from 'vitest';
import { CommandCore } from '../../../src/commands/command-core.js';
import type { CommandRequest, Reply } from '../../../src/commands/types.js';
import { makePost } from '../store/post-store.contract.js';
import { ADMIN, MEMBER, NOW, makeCore } from './core-fixture.js';

const POSTS = [makePost({ id: 'a', tags: ['grants'] })];
const text = (reply: Reply) =>
  reply.kind === 'text' ? reply.text : reply.kind === 'error' ? reply.message : reply.heading;

describe('CommandCore subscriptions', () => {
  const subscribe = (feed?: string, tags: string[] = []): CommandRequest => ({
    name: 'subscribe',
    tags,
    ...(feed ? { feed } : {}),
  });

  it('refuses every subscription command to members who cannot manage the channel', async () => {
    const { core, subscriptions } = await makeCore(POSTS);
    for (const request of [
      subscribe('psf'),
      { name: 'unsubscribe' } as const,
      { name: 'subscriptions' } as const,
    ]) {
      expect(await core.handle(request, MEMBER)).toMatchObject({
        kind: 'error',
        message: expect.stringMatching(/manage this channel/),
      });
    }
    expect(await subscriptions.list()).toEqual([]);
  });

  it('subscribes the channel for a channel manager, recording who and when', async () => {
    const { core, subscriptions } = await makeCore(POSTS);
    const reply = await core.handle(subscribe('psf', ['grants', 'Board-of-Directors']), ADMIN);
    expect(text(reply)).toBe('This channel now gets posts from psf tagged grants or board of directors.');
    expect(await subscriptions.get(ADMIN)).toEqual({
      platform: 'slack',
      workspaceId: 'T1',
      channelId: 'C1',
      feeds: ['psf'],
      tags: ['grants', 'board of directors'],
      options: {},
      createdBy: 'U2',
      createdAt: NOW.toISOString(),
      disabledReason: null,
      disabledAt: null,
    });
  });

  it('sets exactly the feeds named, replaces the tags, keeps createdAt and re-enables a disabled subscription', async () => {
    const { core, subscriptions } = await makeCore(POSTS);
    await subscriptions.put({
      platform: 'slack',
      workspaceId: 'T1',
      channelId: 'C1',
      feeds: ['psf'],
      tags: ['grants'],
      options: { crosspost: true },
      createdBy: 'U9',
      createdAt: '2025-01-01T00:00:00.000Z',
      disabledReason: 'channel_not_found',
      disabledAt: '2025-06-01T00:00:00.000Z',
    });
    const reply = text(await core.handle(subscribe('insider', ['release']), ADMIN));
    expect(reply).toMatch(
      /posts from insider tagged release, crossposted\. It was disabled \(channel_not_found\) and is enabled again\./,
    );
    expect(await subscriptions.get(ADMIN)).toMatchObject({
      feeds: ['insider'],
      tags: ['release'],
      options: { crosspost: true },
      createdAt: '2025-01-01T00:00:00.000Z',
      disabledReason: null,
      disabledAt: null,
    });
  });

  it('reads words naming feeds as feeds, `all` as every feed, and tag:x as a tag', async () => {
    const { core, subscriptions } = await makeCore(POSTS);
    const typed = (words: string[]): CommandRequest => ({ name: 'subscribe', tags: words });
    expect(text(await core.handle(typed(['psf', 'insider', 'grants']), ADMIN))).toBe(
      'This channel now gets posts from psf, insider tagged grants.',
    );
    // Only feeds named: exactly those feeds, the tags stay.
    expect(text(await core.handle(typed(['insider']), ADMIN))).toBe(
      'This channel now gets posts from insider tagged grants.',
    );
    expect(text(await core.handle(typed(['all']), ADMIN))).toBe(
      'This channel now gets posts from every feed tagged grants.',
    );
    expect(text(await core.handle(typed(['tag:psf']), ADMIN))).toBe(
      'This channel now gets posts from every feed tagged psf.',
    );
    expect(text(await core.handle(typed(['psf board of directors', 'pycon']), ADMIN))).toBe(
      'This channel now gets posts from psf tagged board of directors or pycon.',
    );
    expect((await subscriptions.get(ADMIN))?.feeds).toEqual(['psf']);
  });

  it('states the whole subscription in every reply, a digest with its next delivery time', async () => {
    const { core: _core, ...deps } = await makeCore(POSTS);
    // Monday 7 December 2026, 16:00 UTC: Monday's 15:00 digest has gone, the next is a week later.
    const core = new CommandCore({
      ...deps,
      digestSchedule: { hour: 15, minute: 0, weekday: 1 },
      now: () => new Date('2026-12-07T16:00:00.000Z'),
    });
    const typed = (words: string[], digest?: 'daily' | 'weekly'): CommandRequest => ({
      name: 'subscribe',
      tags: words,
      ...(digest ? { digest } : {}),
    });
    const weekly = { ...typed(['psf', 'grants'], 'weekly'), excludedTags: ['sponsors'] };
    expect(text(await core.handle(weekly, ADMIN))).toBe(
      'This channel now gets posts from psf tagged grants, not tagged sponsors, as one weekly digest, next on Monday 15:00 UTC.',
    );
    expect(text(await core.handle({ name: 'subscribe', digest: 'daily' }, ADMIN))).toBe(
      'This channel now gets posts from psf tagged grants, not tagged sponsors, as one daily digest, next on Tuesday 15:00 UTC.',
    );
    expect(text(await core.handle({ name: 'subscriptions' }, ADMIN))).toContain(
      'as one daily digest, next on Tuesday 15:00 UTC',
    );
    expect(text(await core.handle({ name: 'status', share: false }, ADMIN))).toContain(
      '1 channel on the daily digest, next on Tuesday 15:00 UTC.',
    );
    const help = text(await core.handle({ name: 'help', share: false, topic: 'digest' }, ADMIN));
    expect(help).toContain(
      'Digests: daily digest, next on Tuesday 15:00 UTC; weekly digest, next on Monday 15:00 UTC.',
    );
    expect(text(await core.handle({ name: 'help', share: false, topic: 'subscribe' }, ADMIN))).toMatch(
      /naming feeds sets exactly those[\s\S]*weekly digest, next on Monday 15:00 UTC/,
    );
    expect(text(await core.handle({ name: 'help', share: false }, ADMIN))).toContain('`help <command>`');
  });

  it('subscribes to every feed when none is named, and refuses an unknown feed', async () => {
    const { core, subscriptions } = await makeCore(POSTS);
    expect(text(await core.handle(subscribe(), ADMIN))).toBe('This channel now gets posts from every feed.');
    expect((await subscriptions.get(ADMIN))?.feeds).toEqual([]);
    expect(text(await core.handle(subscribe('psf'), ADMIN))).toBe('This channel now gets posts from psf.');
    expect(text(await core.handle(subscribe(), ADMIN))).toBe('This channel now gets posts from psf.');
    expect(text(await core.handle(subscribe('all'), ADMIN))).toBe(
      'This channel now gets posts from every feed.',
    );
    expect(await core.handle(subscribe('grants'), ADMIN)).toEqual({
      kind: 'error',
      message: 'Unknown feed “grants”. Known feeds: psf, insider.',
    });
  });

  it('unsubscribes one feed, and removes the subscription when its last feed goes', async () => {
    const { core, subscriptions } = await makeCore(POSTS);
    await core.handle(subscribe(), ADMIN);
    expect(text(await core.handle({ name: 'unsubscribe', feed: 'insider' }, ADMIN))).toBe(
      'Done: this channel now gets posts from psf.',
    );
    expect(text(await core.handle({ name: 'unsubscribe', feed: 'insider' }, ADMIN))).toBe(
      'This channel does not get insider.',
    );
    expect(text(await core.handle({ name: 'unsubscribe', feed: 'psf' }, ADMIN))).toMatch(
      /no more announcements \(psf was its only feed\)/,
    );
    expect(await subscriptions.get(ADMIN)).toBeNull();
    expect(text(await core.handle({ name: 'unsubscribe' }, ADMIN))).toBe('This channel has no subscription.');
  });

  it('unsubscribes the whole channel', async () => {
    const { core, subscriptions } = await makeCore(POSTS);
    await core.handle(subscribe('psf'), ADMIN);
    expect(text(await core.handle({ name: 'unsubscribe' }, ADMIN))).toBe(
      'This channel gets no more announcements.',
    );
    expect(await subscriptions.list()).toEqual([]);
  });

  it("lists this workspace's subscriptions on this platform, with the reason a disabled one stopped", async () => {
    const { core, subscriptions } = await makeCore(POSTS);
    await core.handle(subscribe('psf', ['grants']), ADMIN);
    await core.handle(subscribe(), { ...ADMIN, channelId: 'C2' });
    await core.handle(subscribe(), { ...ADMIN, workspaceId: 'T2' });
    await core.handle(subscribe(), { ...ADMIN, platform: 'discord' });
    await subscriptions.disable({ ...ADMIN, channelId: 'C2' }, 'is_archived');
    const reply = text(await core.handle({ name: 'subscriptions' }, ADMIN));
    expect(reply).toBe(
      [
        'Subscriptions (2):',
        '• <#C1> (this channel): posts from psf tagged grants',
        `• <#C2>: posts from every feed; DISABLED since ${NOW.toISOString()}: is_archived (\`subscribe\` there re-enables it)`,
      ].join('\n'),
    );
  });

  it('records crossposting when asked and keeps it on later updates that do not mention it', async () => {
    const { core, subscriptions } = await makeCore(POSTS);
    const reply = await core.handle({ name: 'subscribe', feed: 'psf', tags: [], crosspost: true }, ADMIN);
    expect(text(reply)).toBe('This channel now gets posts from psf, crossposted.');
    await core.handle(subscribe('psf', ['grants']), ADMIN);
    expect((await subscriptions.get(ADMIN))?.options).toEqual({ crosspost: true });
    await core.handle({ name: 'subscribe', tags: [], crosspost: false }, ADMIN);
    expect((await subscriptions.get(ADMIN))?.options).toEqual({ crosspost: false });
  });

  it('changes only the options given: tags, excluded tags, role mention and thread are kept otherwise', async () => {
    const { core, subscriptions } = await makeCore(POSTS);
    const DISCORD = { ...ADMIN, platform: 'discord' as const, workspaceId: '700000000000000001' };
    await core.handle(
      {
        name: 'subscribe',
        feed: 'psf',
        tags: ['pycon'],
        excludedTags: ['sponsors'],
        mention: '700000000000000555',
      },
      DISCORD,
    );
    const reply = await core.handle({ name: 'subscribe', thread: true }, DISCORD);
    expect(text(reply)).toBe(
      'This channel now gets posts from psf tagged pycon, not tagged sponsors, mentioning <@&700000000000000555>, a thread on each.',
    );
    expect(await subscriptions.get(DISCORD)).toMatchObject({
      tags: ['pycon'],
      excludedTags: ['sponsors'],
      options: { mentionRoleId: '700000000000000555', thread: true },
    });
    // @everyone's role id is the server's id: choosing it removes the mention, and a new filter replaces both lists.
    await core.handle({ name: 'subscribe', mention: DISCORD.workspaceId, tags: ['grants'] }, DISCORD);
    const after = await subscriptions.get(DISCORD);
    expect(after?.options).toEqual({ thread: true });
    expect(after?.tags).toEqual(['grants']);
    expect(after?.excludedTags).toBeUndefined();
  });

  it('names a Slack user group mention by its id, never as a ping in the reply', async () => {
    const { core } = await makeCore(POSTS);
    const reply = await core.handle({ name: 'subscribe', mention: 'S0PSFNEWS' }, ADMIN);
    expect(text(reply)).toBe('This channel now gets posts from every feed, mentioning user group S0PSFNEWS.');
  });

  it('refuses a mention this platform cannot ping, and a group handle nobody resolved', async () => {
    const { core, subscriptions } = await makeCore(POSTS);
    expect(text(await core.handle({ name: 'subscribe', mention: '@psf-news' }, ADMIN))).toMatch(
      /cannot look up @psf-news/,
    );
    expect(text(await core.handle({ name: 'subscribe', mention: '700000000000000555' }, ADMIN))).toMatch(
      /not a Slack user group/,
    );
    expect(await subscriptions.list()).toEqual([]);
  });
});
