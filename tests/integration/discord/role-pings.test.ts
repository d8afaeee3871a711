import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordClient } from '../../../adapters/discord/client.js';
import { DiscordRolePings } from '../../../adapters/discord/role-pings.js';
import { CommandCore } from '../../../src/commands/command-core.js';
import type { CommandContext } from '../../../src/commands/types.js';
import { MemoryFeedStateStore } from '../../../src/feeds/memory-feed-state-store.js';
import { PostIndex } from '../../../src/search/post-index.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { FakeDiscord, FAKE_TOKEN } from '../../fakes/discord/fake-discord.js';
import { makeSubscription } from '../../helpers/delivery-fixtures.js';

// Issue 21 §2: with the documented invite permissions (no Mention Everyone) a role that is not mentionable is
// named in each announcement but pings no one; `subscriptions` said it would ping. It now warns.

const GUILD = '740000000000000001';
const [QUIET, LOUD, PLAIN, GONE] = [
  '740000000000000011',
  '740000000000000012',
  '740000000000000013',
  '740000000000000014',
];
const VIEW_SEND_EMBED = String((1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 16n));
const MANAGER: CommandContext = {
  platform: 'discord',
  workspaceId: GUILD,
  channelId: QUIET,
  userId: '740000000000000100',
  canManage: true,
};

let fake: FakeDiscord;
const subscriptions = new MemorySubscriptionStore();

function core(): CommandCore {
  return new CommandCore({
    posts: new MemoryPostStore(),
    index: PostIndex.build([]),
    subscriptions,
    feedStates: new MemoryFeedStateStore(),
    queues: { counts: async () => ({}) },
    feeds: [{ name: 'psf', url: 'https://example.org/feed' }],
    pollIntervalMs: 300_000,
    rolePings: new DiscordRolePings(new DiscordClient({ token: FAKE_TOKEN, apiUrl: fake.apiUrl })),
  });
}

async function listed(): Promise<string> {
  const reply = await core().handle({ name: 'subscriptions' }, MANAGER);
  return reply.kind === 'text' ? reply.text : JSON.stringify(reply);
}

beforeAll(async () => {
  fake = await FakeDiscord.start();
  for (const channel of [QUIET, LOUD, PLAIN, GONE]) fake.rest.channelTypes.set(channel, 0);
  const role = (id: string, name: string, mentionable: boolean) => ({
    id,
    name,
    permissions: '0',
    mentionable,
  });
  fake.rest.guildRoles.set(GUILD, {
    roles: [
      { id: GUILD, name: '@everyone', permissions: VIEW_SEND_EMBED, mentionable: false },
      role('740000000000000021', 'members', false),
      role('740000000000000022', 'news', true),
    ],
    botRoles: [],
  });
  const sub = (i: number, channelId: string, mentionRoleId?: string) =>
    makeSubscription(i, {
      platform: 'discord',
      workspaceId: GUILD,
      channelId,
      options: mentionRoleId ? { mentionRoleId } : {},
    });
  await subscriptions.put(sub(1, QUIET, '740000000000000021'));
  await subscriptions.put(sub(2, LOUD, '740000000000000022'));
  await subscriptions.put(sub(3, PLAIN));
  await subscriptions.put(sub(4, GONE, '740000000000000029'));
});

afterAll(async () => {
  await fake.stop();
});

describe('subscriptions warns when the bot cannot ping a role', () => {
  it('names a role that is not mentionable while the bot lacks Mention Everyone, and one that is gone', async () => {
    const lines = (await listed()).split('\n');
    const line = (channel: string) => lines.find((entry) => entry.includes(`<#${channel}>`)) ?? '';
    expect(line(QUIET)).toMatch(
      /WARNING: the bot cannot ping its role @members: not mentionable, and the bot lacks Mention @everyone, @here and All Roles there$/,
    );
    expect(line(GONE)).toMatch(/WARNING: its role 740000000000000029 no longer exists$/);
    expect(line(LOUD)).not.toContain('WARNING');
    expect(line(PLAIN)).not.toContain('WARNING');
  });

  it('warns no more once the bot holds Mention Everyone (here through a role of its own)', async () => {
    const guild = fake.rest.guildRoles.get(GUILD)!;
    guild.roles.push({
      id: '740000000000000031',
      name: 'bot',
      permissions: String(1n << 17n),
      mentionable: false,
    });
    guild.botRoles = ['740000000000000031'];
    const text = await listed();
    expect(text).not.toMatch(/@members/);
    expect(text).toMatch(/740000000000000029 no longer exists/);
  });

  it('still lists the subscriptions, without warnings, when Discord will not say', async () => {
    fake.cueError('GET', /^\/guilds\/\d+\/roles$/, 500, 0, 'Internal Server Error');
    const text = await listed();
    expect(text).toMatch(/^Subscriptions \(4\):/);
    expect(text).not.toContain('WARNING');
  });
});
