import { commandUsage, registerDiscordCommands } from '../../adapters/discord/commands.js';
import type { Config } from '../../src/config.js';
import { UsageError } from '../cli-errors.js';

/** `psf-bot discord register [--guild ID]`: bulk-overwrites the /psf command globally or in one server. */
export async function runDiscordRegister(config: Config, guildId: string | undefined): Promise<number> {
  if (!config.discord)
    throw new UsageError('Discord is not configured: set DISCORD_TOKEN and DISCORD_APPLICATION_ID');
  if (guildId !== undefined && !/^\d{5,25}$/.test(guildId))
    throw new UsageError(`--guild must be a server id (digits), got "${guildId}"`);
  const result = await registerDiscordCommands({
    token: config.discord.token,
    applicationId: config.discord.applicationId,
    apiUrl: config.discord.apiUrl,
    feeds: config.feeds.map((feed) => feed.name),
    ...(guildId ? { guildId } : {}),
  });
  const names = result.commands.map((command) => `/${command.name}`).join(', ');
  process.stdout.write(
    result.scope === 'guild'
      ? `registered ${names} in server ${guildId} (available now)\n`
      : `registered ${names} globally (Discord may take a while to show it everywhere)\n`,
  );
  process.stdout.write(commandUsage(result.commands).join('\n') + '\n');
  return 0;
}
