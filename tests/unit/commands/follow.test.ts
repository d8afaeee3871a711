import { describe, expect, it } from 'vitest';
import { CommandCore } from '../../../src/commands/command-core.js';
import type { ChannelFollows, CommandContext, FollowAnswer, Reply } from '../../../src/commands/types.js';
import { parseCommandOptions, parseCommandText } from '../../../src/commands/parse.js';
import { MemoryFollowStore } from '../../../src/subscriptions/follow-store.js';
import { makeCore, NOW } from './core-fixture.js';

const MANAGER: CommandContext = {
  platform: 'discord',
  workspaceId: '700000000000000001',
  channelId: '700000000000000010',
  userId: '700000000000000100',
  canManage: true,
};
const HUBS = [
  { feed: 'psf', channelId: '710000000000000005' },
  { feed: 'insider', channelId: '710000000000000006' },
];

/** Plays the answers a test gives, in order, and records what was asked. */
class ScriptedFollows implements ChannelFollows {
  readonly asked: string[] = [];
  constructor(
    private readonly follows: FollowAnswer<{ webhookId: string }>[] = [],
    private readonly unfollows: FollowAnswer<{ gone: boolean }>[] = [],
  ) {}
  async follow(hub: string, channel: string) {
    this.asked.push(`follow ${hub} ${channel}`);
    return this.follows.shift() ?? { ok: true as const, webhookId: `9${this.asked.length}` };
  }
  async unfollow(webhookId: string) {
    this.asked.push(`unfollow ${webhookId}`);
    return this.unfollows.shift() ?? { ok: true as const, gone: false };
  }
}

async function core(options: { hubs?: typeof HUBS; script?: ScriptedFollows } = {}) {
  const base = await makeCore([], ['psf', 'insider', 'pypi']);
  const follows = new MemoryFollowStore();
  const script = options.script ?? new ScriptedFollows();
  const built = new CommandCore({
    ...base,
    hubs: options.hubs ?? HUBS,
    follows,
    channelFollows: script,
  });
  return { core: built, follows, script, subscriptions: base.subscriptions };
}

function said(reply: Reply): string {
  return reply.kind === 'error' ? reply.message : reply.kind === 'text' ? reply.text : reply.heading;
}

describe('follow and unfollow in the command core', () => {
  it('answers on Slack and the console that follows are a Discord feature', async () => {
    const { core: built, script } = await core();
    for (const platform of ['slack', 'console'] as const) {
      const reply = await built.handle({ name: 'follow', feed: 'psf' }, { ...MANAGER, platform });
      expect(said(reply)).toMatch(/Follows are a Discord feature.*`subscribe` announces posts/);
      expect(said(await built.handle({ name: 'unfollow' }, { ...MANAGER, platform }))).toMatch(
        /Discord feature/,
      );
    }
    expect(script.asked).toEqual([]);
  });

  it('follows every hub when no feed is named, in the order of the feeds, and records each webhook', async () => {
    const { core: built, follows, script } = await core({ hubs: [...HUBS].reverse() });
    const reply = await built.handle({ name: 'follow' }, MANAGER);
    expect(reply.kind).toBe('text');
    expect(said(reply)).toMatch(/now follows the psf hub[\s\S]*\n.*now follows the insider hub/);
    expect(script.asked).toEqual([
      'follow 710000000000000005 700000000000000010',
      'follow 710000000000000006 700000000000000010',
    ]);
    expect((await follows.listChannel(MANAGER)).map((item) => [item.feed, item.webhookId])).toEqual([
      ['insider', '92'],
      ['psf', '91'],
    ]);
    expect((await follows.get(MANAGER, 'psf'))?.createdAt).toBe(NOW.toISOString());
  });

  it('says when the bot has no hubs at all', async () => {
    const { core: built } = await core({ hubs: [] });
    expect(said(await built.handle({ name: 'follow' }, MANAGER))).toBe(
      'This bot has no hub channels to follow; ask its operator, or use `/psf subscribe`.',
    );
    expect(said(await built.handle({ name: 'follow', feed: 'nope' }, MANAGER))).toMatch(
      /Unknown feed “nope”/,
    );
  });

  it('records nothing on an unclear answer, and says the follow may exist before anyone tries again', async () => {
    const script = new ScriptedFollows([
      { ok: false, failure: 'unclear', detail: 'http_502: 502 Bad Gateway' },
    ]);
    const { core: built, follows } = await core({ script });
    const reply = await built.handle({ name: 'follow', feed: 'psf' }, MANAGER);
    expect(reply.kind).toBe('error');
    expect(said(reply)).toMatch(
      /no clear answer \(http_502: 502 Bad Gateway\), so the follow may or may not exist: look in <#700000000000000010>'s settings → Integrations before trying again/,
    );
    expect(await follows.list()).toEqual([]);
  });

  it('names the fix for too many webhooks and for a rate limit', async () => {
    const script = new ScriptedFollows([
      { ok: false, failure: 'too_many_webhooks', detail: '30007' },
      { ok: false, failure: 'rate_limited', detail: '429', retryAfterMs: 2_500 },
    ]);
    const { core: built } = await core({ script });
    expect(said(await built.handle({ name: 'follow', feed: 'psf' }, MANAGER))).toMatch(
      /as many webhooks as Discord allows \(30007\): delete one in the channel's settings → Integrations → Webhooks/,
    );
    expect(said(await built.handle({ name: 'follow', feed: 'psf' }, MANAGER))).toMatch(/try again in 3 s/);
  });

  it('keeps a follow whose webhook the bot may not delete, and says how to end it by hand', async () => {
    const script = new ScriptedFollows(
      [],
      [{ ok: false, failure: 'missing_permissions', detail: '50013: 403 Missing Permissions' }],
    );
    const { core: built, follows } = await core({ script });
    await built.handle({ name: 'follow', feed: 'psf' }, MANAGER);
    const reply = await built.handle({ name: 'unfollow', feed: 'psf' }, MANAGER);
    expect(reply.kind).toBe('error');
    expect(said(reply)).toMatch(/needs the Manage Webhooks permission .* Followed Channels/);
    expect(await follows.get(MANAGER, 'psf')).not.toBeNull();
    expect(said(await built.handle({ name: 'unfollow', feed: 'psf' }, MANAGER))).toMatch(
      /no longer follows the psf hub/,
    );
    expect(await follows.get(MANAGER, 'psf')).toBeNull();
  });

  it('refuses a subscription that would take a followed feed, and allows the other feeds', async () => {
    const { core: built, subscriptions } = await core();
    await built.handle({ name: 'follow', feed: 'psf' }, MANAGER);
    const refused = await built.handle({ name: 'subscribe', tags: ['grants'] }, MANAGER);
    expect(said(refused)).toMatch(/follows the psf hub: Discord already copies those posts here/);
    expect(await subscriptions.get(MANAGER)).toBeNull();
    const allowed = await built.handle({ name: 'subscribe', feed: 'insider' }, MANAGER);
    expect(said(allowed)).toMatch(/now gets posts from insider/);
    // With a subscription to insider, following insider's hub is refused; psf's stays.
    expect(said(await built.handle({ name: 'follow', feed: 'insider' }, MANAGER))).toMatch(
      /subscribes to insider/,
    );
  });
});

describe('help about follows and user installs', () => {
  it('on Discord names follow (when there are hubs) and install, within 600 characters', async () => {
    const { core: built } = await core();
    const help = said(await built.handle({ name: 'help', share: false }, MANAGER));
    expect(help).toContain('`follow [feed]`');
    expect(help).toContain('`help install`');
    expect(help.length).toBeLessThan(600);
    const slack = said(await built.handle({ name: 'help', share: false }, { ...MANAGER, platform: 'slack' }));
    expect(slack).not.toContain('follow');
    const noHubs = said(
      await (await core({ hubs: [] })).core.handle({ name: 'help', share: false }, MANAGER),
    );
    expect(noHubs).not.toContain('`follow');
  });

  it('`help follow` explains the trade and the permission; `help install` what a user install can do', async () => {
    const { core: built } = await core();
    const follow = said(await built.handle({ name: 'help', share: false, topic: 'follow' }, MANAGER));
    expect(follow).toMatch(/no tag filter, role, thread/);
    expect(follow).toMatch(
      /Discord copies it here however busy psf-bot is, and it costs the bot nothing per post/,
    );
    // What a follow cannot do: outrun the hub's publish limit, or get posts the bot never published.
    expect(follow).toMatch(/at most about 10 posts an hour/);
    expect(follow).toMatch(/while psf-bot is down the hub publishes nothing/);
    expect(follow).not.toMatch(/busy or down/);
    expect(follow).toMatch(/Manage Webhooks/);
    expect(follow).toMatch(/Feeds with a hub here: psf, insider\./);
    const install = said(await built.handle({ name: 'help', share: false, topic: 'install' }, MANAGER));
    expect(install).toMatch(/work in DMs, group DMs and any server/);
  });
});

describe('parsing follow and unfollow', () => {
  it("reads the feed from text (Slack, ask) and from Discord options, the channel being the adapter's", () => {
    expect(parseCommandText('/psf follow psf')).toEqual({
      ok: true,
      request: { name: 'follow', feed: 'psf' },
    });
    expect(parseCommandText('unfollow')).toEqual({ ok: true, request: { name: 'unfollow' } });
    expect(parseCommandText('follow psf insider')).toEqual({
      ok: false,
      message: 'Name one feed at a time: `follow psf`.',
    });
    expect(parseCommandOptions('follow', { feed: 'PSF', channel: '700000000000000204' })).toEqual({
      ok: true,
      request: { name: 'follow', feed: 'psf' },
    });
    expect(parseCommandText('help follow')).toEqual({
      ok: true,
      request: { name: 'help', share: false, topic: 'follow' },
    });
    expect(parseCommandOptions('help', { topic: 'install' })).toEqual({
      ok: true,
      request: { name: 'help', share: false, topic: 'install' },
    });
  });
});
