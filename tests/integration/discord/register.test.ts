import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordCommandDefinitions, registerDiscordCommands } from '../../../adapters/discord/commands.js';
import { FAKE_APPLICATION_ID, FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';

let fake: FakeDiscord;
beforeAll(async () => {
  fake = await FakeDiscord.start();
});
afterAll(async () => {
  await fake.stop();
});

describe('registerDiscordCommands', () => {
  const base = () => ({ token: FAKE_TOKEN, applicationId: FAKE_APPLICATION_ID, apiUrl: fake.apiUrl });

  it('bulk-overwrites the global commands with PUT', async () => {
    const result = await registerDiscordCommands(base());
    expect(result.scope).toBe('global');
    expect(result.commands.map((command) => command.name)).toEqual(['psf']);
    const [request] = fake.rest.find('PUT', new RegExp(`^/applications/${FAKE_APPLICATION_ID}/commands$`));
    expect(request?.headers.authorization).toBe(`Bot ${FAKE_TOKEN}`);
    expect(request?.body).toEqual(discordCommandDefinitions());
    // Installable to a server or a person's account, usable in servers, the bot's DMs and group DMs.
    expect(request?.body).toMatchObject([{ integration_types: [0, 1], contexts: [0, 1, 2] }]);
  });

  it('registers in one guild with --guild, with the configured feeds as choices', async () => {
    const result = await registerDiscordCommands({
      ...base(),
      guildId: '700000000000000001',
      feeds: ['psf', 'insider'],
    });
    expect(result.scope).toBe('guild');
    const [request] = fake.rest.find('PUT', /^\/applications\/\d+\/guilds\/700000000000000001\/commands$/);
    expect(request?.body).toEqual(discordCommandDefinitions({ feeds: ['psf', 'insider'], global: false }));
    // Guild commands take no installation types or contexts: they exist only in that server.
    expect((request?.body as object[])[0]).not.toHaveProperty('integration_types');
    expect((request?.body as object[])[0]).not.toHaveProperty('contexts');
  });

  it('surfaces a refusal (bad token) as an error', async () => {
    fake.cueError('PUT', /\/commands$/, 401, 0, '401: Unauthorized');
    await expect(registerDiscordCommands(base())).rejects.toThrow(/Unauthorized/);
  });
});
