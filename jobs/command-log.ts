import { randomUUID } from 'node:crypto';
import type { CommandContext, CommandRequest, CommandService, Reply } from '../src/commands/types.js';
import type { Logger } from '../src/logger.js';
import type { Platform } from '../src/posts/post.js';

/**
 * Wraps `service` so each command gets a correlation id and one log line: who asked where, what, how it
 * ended and how long it took. Replies themselves are not logged (they are feed text, not diagnostics).
 */
export function logCommands(service: CommandService, logger: Logger, platform: Platform): CommandService {
  return {
    async handle(request: CommandRequest, context: CommandContext): Promise<Reply> {
      const log = logger.child({
        commandId: randomUUID(),
        platform,
        command: request.name,
        workspaceId: context.workspaceId,
        channelId: context.channelId,
        userId: context.userId,
      });
      const started = performance.now();
      try {
        const reply = await service.handle(request, context);
        const ms = Math.round((performance.now() - started) * 10) / 10;
        if (reply.kind === 'error')
          log.info({ ms, outcome: 'refused', message: reply.message }, 'command answered');
        else log.info({ ms, outcome: reply.kind }, 'command answered');
        return reply;
      } catch (error) {
        log.error({ err: error }, 'command failed');
        throw error;
      }
    },
    suggestTags: (partial: string, limit: number) => service.suggestTags(partial, limit),
  };
}
