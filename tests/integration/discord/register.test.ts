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
  });

  it('registers in one guild with --guild, with the configured feeds as choices', async () => {
    const result = await registerDiscordCommands({
      ...base(),
      guildId: '700000000000000001',
      feeds: ['psf', 'insider'],
    });
    expect(result.scope).toBe('guild');
    const [request] = fake.rest.find('PUT', /^\/applications\/\d+\/guilds\/700000000000000001\/commands$/);
    expect(request?.body).toEqual(discordCommandDefinitions({ feeds: ['psf', 'insider'] }));
  });

  it('surfaces a refusal (bad token) as an error', async () => {
    fake.cueError('PUT', /\/commands$/, 401, 0, '401: Unauthorized');
    await expect(registerDiscordCommands(base())).rejects.toThrow(/Unauthorized/);
  });
});
