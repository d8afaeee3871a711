import { renderConsoleReply } from '../../adapters/console/reply.js';
import { renderDiscordReply } from '../../adapters/discord/reply.js';
import { renderSlackReply } from '../../adapters/slack/reply.js';
import { parseCommandText } from '../../src/commands/parse.js';
import type { CommandContext, CommandRequest, Reply } from '../../src/commands/types.js';
import type { Config } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import type { Platform } from '../../src/posts/post.js';
import { PostIndex } from '../../src/search/post-index.js';
import { UsageError } from '../cli-errors.js';
import { ConsoleAnnouncer } from '../../adapters/console/console-announcer.js';
import { deliveryLookup, testAnnouncer } from '../delivery/lookup.js';
import { openAllQueues, queueHealth } from '../queue-health.js';
import { commandCore, withStores } from '../stores.js';

/** The local operator: the console channel, allowed to manage it. */
const LOCAL_CONTEXT: CommandContext = {
  platform: 'console',
  workspaceId: 'local',
  channelId: 'console',
  userId: 'cli',
  canManage: true,
};

function isShared(request: CommandRequest): boolean {
  return 'share' in request && request.share;
}

/** The body the platform would receive in answer to the command. */
export function platformPayload(platform: Platform, reply: Reply, request: CommandRequest): object {
  if (platform === 'discord') return renderDiscordReply(reply, { ephemeral: !isShared(request) });
  if (platform === 'slack') return renderSlackReply(reply, { share: isShared(request) });
  return renderConsoleReply(reply);
}

/** `psf-bot ask "<command>"`: answers from the store like `/psf` would; exit 2 for a malformed command. */
export async function runAsk(
  config: Config,
  text: string,
  options: { platform?: Platform; json?: boolean },
  logger: Logger,
): Promise<number> {
  const parsed = parseCommandText(text);
  if (!parsed.ok) throw new UsageError(parsed.message);
  const request = parsed.request;
  return withStores(config, logger, async (stores) => {
    const queues = openAllQueues(stores.target.options, stores.prefix);
    try {
      const index = PostIndex.build(await stores.posts.all());
      // `test` posts to the console channel, which is this terminal: on stderr, so `--json` stays clean.
      const core = commandCore(config, stores, index, queueHealth(queues), logger, {
        deliveries: deliveryLookup(queues),
        testAnnouncer: testAnnouncer({ console: new ConsoleAnnouncer(process.stderr) }),
      });
      const reply = await core.handle(request, LOCAL_CONTEXT);
      if (options.json) {
        const payload = options.platform
          ? { payload: platformPayload(options.platform, reply, request) }
          : {};
        process.stdout.write(`${JSON.stringify({ ...reply, ...payload }, null, 2)}\n`);
      } else {
        process.stdout.write(`${renderConsoleReply(reply).text}\n`);
      }
      return reply.kind === 'error' ? 1 : 0;
    } finally {
      await Promise.all(queues.map((queue) => queue.close()));
    }
  });
}
