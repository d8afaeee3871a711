import { RedisInstallationStore } from '../../adapters/slack/installation-store.js';
import type { RedisClient } from '../../src/store/redis-client.js';
import { benchSlackToken } from '../fakes/limited-slack.js';

/** Installs each bench workspace as Slack's OAuth flow would (a bot token of its own), so delivery runs in OAuth mode. */
export async function installBenchWorkspaces(
  redis: RedisClient,
  prefix: string,
  teams: readonly string[],
): Promise<void> {
  const installations = new RedisInstallationStore(redis, prefix);
  for (const team of teams) {
    await installations.storeInstallation({
      team: { id: team, name: team },
      enterprise: undefined,
      isEnterpriseInstall: false,
      user: { id: 'UINSTALLER', token: undefined, scopes: undefined },
      bot: { token: benchSlackToken(team), userId: 'UBENCH', id: 'BBENCH', scopes: ['chat:write'] },
      tokenType: 'bot',
      appId: 'A0BENCH',
      authVersion: 'v2',
    });
  }
}
