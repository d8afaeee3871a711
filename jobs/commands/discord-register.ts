import { commandUsage, installLinks, registerDiscordCommands } from '../../adapters/discord/commands.js';
import { INVITE_PERMISSIONS } from '../doctor/discord-permissions.js';
import type { Config } from '../../src/config.js';
import { UsageError } from '../cli-errors.js';

/** `psf-bot discord register [--guild ID]`: bulk-overwrites the /psf command globally or in one server. */
export async function runDiscordRegister(config: Config, guildId: string | undefined): Promise<number> {
  if (!config.discord)
    throw new UsageError('Discord is not configured: set DISCORD_TOKEN and DISCORD_APPLICATION_ID');
  if (guildId !== undefined && !/^\d{17,20}$/.test(guildId))
    throw new UsageError(
      `--guild takes a server id, 17 to 20 digits such as 123456789012345678 (got "${guildId}"); ` +
        'in Discord, turn on Developer Mode, then right-click the server and choose Copy Server ID',
    );
  const result = await registerDiscordCommands({
    token: config.discord.token,
    applicationId: config.discord.applicationId,
    apiUrl: config.discord.apiUrl,
    feeds: config.feeds.map((feed) => feed.name),
    hubs: config.discord.hubs.map((hub) => hub.feed),
    ...(guildId ? { guildId } : {}),
  });
  const names = result.commands.map((command) => `/${command.name}`).join(', ');
  process.stdout.write(
    result.scope === 'guild'
      ? `registered ${names} in server ${guildId} (available now)\n`
      : `registered ${names} globally (Discord may take a while to show it everywhere)\n`,
  );
  process.stdout.write(commandUsage(result.commands).join('\n') + '\n');
  const links = installLinks(config.discord.applicationId, INVITE_PERMISSIONS);
  process.stdout.write(
    [
      'Add psf-bot to a server (announcements, subscriptions and lookups):',
      `  ${links.server}`,
      'Add it to your account (lookups in any server, DM or group DM; needs User Install in the developer portal):',
      `  ${links.account}`,
      ...(result.scope === 'guild'
        ? ['(a command registered in one server is not offered to user installs)']
        : []),
    ].join('\n') + '\n',
  );
  return 0;
}
