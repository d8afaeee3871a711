import { describe, expect, it } from 'vitest';
import { renderConsoleReply } from '../../../adapters/console/reply.js';
import { renderDiscordReply } from '../../../adapters/discord/reply.js';
import { renderSlackReply } from '../../../adapters/slack/reply.js';
import type { Reply } from '../../../src/commands/types.js';
import { ADMIN, makeCore } from './core-fixture.js';

// `subscriptions` names channels as the platform's channel mentions (`<#C123>` on Slack, `<#123>` on Discord),
// which show as links to the channel, not as raw ids; escaping stays whole around them.

describe('subscriptions names channels as mentions', () => {
  it('on Slack: <#C…> survives escaping, and nothing else in the text turns into markup', async () => {
    const { core } = await makeCore([]);
    await core.handle({ name: 'subscribe', feed: 'psf', tags: ['<!channel>'] }, ADMIN);
    await core.handle({ name: 'subscribe', tags: [] }, { ...ADMIN, channelId: 'C0ABC2' });
    const reply = await core.handle({ name: 'subscriptions' }, ADMIN);
    expect(reply).toMatchObject({ kind: 'text', channels: ['C0ABC2', 'C1'] });
    const { text } = renderSlackReply(reply, { share: false });
    expect(text).toContain('• <#C0ABC2>: posts from every feed');
    expect(text).toContain('• <#C1> (this channel): posts from psf tagged &lt;!channel&gt;');
  });

  it('on Slack, a <#C…> that the reply does not name stays text', () => {
    const reply: Reply = { kind: 'text', text: 'see <#C9> and <#C1>', channels: ['C1'] };
    expect(renderSlackReply(reply, { share: false }).text).toBe('see &lt;#C9&gt; and <#C1>');
  });

  it('on Discord: <#123…>, with no pings allowed', async () => {
    const { core } = await makeCore([]);
    const discord = {
      ...ADMIN,
      platform: 'discord' as const,
      workspaceId: '111',
      channelId: '222333444555666777',
    };
    await core.handle({ name: 'subscribe', tags: [] }, discord);
    const body = renderDiscordReply(await core.handle({ name: 'subscriptions' }, discord), {
      ephemeral: true,
    });
    expect(body.content).toContain('• <#222333444555666777> (this channel): posts from every feed');
    expect(body.allowed_mentions).toEqual({ parse: [] });
  });

  it('on Discord: the role a subscription mentions shows as a role mention, and still pings no one', async () => {
    const { core } = await makeCore([]);
    const discord = {
      ...ADMIN,
      platform: 'discord' as const,
      workspaceId: '111',
      channelId: '222333444555666777',
    };
    const role = '700000000000000555';
    const subscribed = await core.handle({ name: 'subscribe', tags: [], mention: role }, discord);
    const confirmation = renderDiscordReply(subscribed, { ephemeral: true });
    expect(confirmation.content).toContain(`, mentioning <@&${role}>.`);
    expect(confirmation.content).not.toContain('\\<@&');
    expect(confirmation.allowed_mentions).toEqual({ parse: [] });
    const listed = renderDiscordReply(await core.handle({ name: 'subscriptions' }, discord), {
      ephemeral: false,
    });
    expect(listed.content).toContain(`mentioning <@&${role}>`);
    expect(listed.allowed_mentions).toEqual({ parse: [] });
  });

  it('on Discord, a <@&…> or <#…> that the reply does not name stays text', () => {
    const reply: Reply = {
      kind: 'text',
      text: 'see <@&9> <#9> <@&1> <#2>',
      channels: ['2', '1'],
      roles: ['1', '2'],
    };
    expect(renderDiscordReply(reply, { ephemeral: true }).content).toBe('see \\<@&9\\> \\<#9\\> <@&1> <#2>');
  });

  it('on Slack: the user group stays its plain id (a <!subteam^…> in a shared reply would notify the group)', async () => {
    const { core } = await makeCore([]);
    const reply = await core.handle({ name: 'subscribe', tags: [], mention: 'S0PSFNEWS' }, ADMIN);
    expect(reply).not.toHaveProperty('roles');
    for (const share of [false, true]) {
      const { text } = renderSlackReply(reply, { share });
      expect(text).toContain('mentioning user group S0PSFNEWS');
      expect(text).not.toContain('<!subteam');
    }
  });

  it('on the console: the plain channel name', async () => {
    const { core } = await makeCore([]);
    const console = { ...ADMIN, platform: 'console' as const, workspaceId: 'local', channelId: 'console' };
    await core.handle({ name: 'subscribe', tags: [] }, console);
    const reply = await core.handle({ name: 'subscriptions' }, console);
    expect(reply).not.toHaveProperty('channels');
    expect(renderConsoleReply(reply).text).toContain('• channel console (this channel)');
  });
});
