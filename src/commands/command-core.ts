import { type CommandDeps } from './command-deps.js';
import { unknownCommandMessage } from './command-schema.js';
import { follow, unfollow } from './follow-commands.js';
import { helpText, helpTopic } from './help-text.js';
import { byTag, latest, search, tags } from './lookups.js';
import { status } from './status.js';
import { listSubscriptions, subscribe, unsubscribe } from './subscription-commands.js';
import { testAnnouncement } from './test-command.js';
import { why } from './why.js';
import type { CommandContext, CommandRequest, CommandService, Reply } from './types.js';

export type { CommandDeps } from './command-deps.js';

/** The answer when the store failed: the caller's words were fine, the work was not (`ask` exits 1, not 2). */
export const GENERIC_FAILURE = 'Sorry, something went wrong while answering. Please try again in a moment.';
/** Discord autocomplete offers at most 25 choices. */
const MAX_SUGGESTIONS = 25;

/** Answers `/psf` commands from the store and the in-process index; platform-neutral, never throws. */
export class CommandCore implements CommandService {
  constructor(private readonly deps: CommandDeps) {}

  async handle(request: CommandRequest, context: CommandContext): Promise<Reply> {
    try {
      return await this.answer(request, context);
    } catch (error) {
      this.deps.logger?.error({ err: error, command: request?.name }, 'command failed');
      return { kind: 'error', message: GENERIC_FAILURE };
    }
  }

  async suggestTags(partial: string, limit: number): Promise<string[]> {
    try {
      return this.deps.index.suggestTags(
        String(partial ?? ''),
        Math.max(0, Math.min(limit, MAX_SUGGESTIONS)),
      );
    } catch (error) {
      this.deps.logger?.error({ err: error }, 'tag suggestions failed');
      return [];
    }
  }

  private answer(request: CommandRequest, context: CommandContext): Promise<Reply> | Reply {
    switch (request.name) {
      case 'latest':
        return latest(this.deps, request.count, request.feed);
      case 'tag':
        return byTag(this.deps, request.tag, request.count);
      case 'tags':
        return tags(this.deps);
      case 'search':
        return search(this.deps, request.query);
      case 'status':
        return status(this.deps, context);
      case 'help': {
        const place = {
          discord: context.platform === 'discord',
          hubs: (this.deps.hubs ?? []).map((hub) => hub.feed),
        };
        return {
          kind: 'text',
          text:
            request.topic === undefined
              ? helpText(this.deps.helpFeeds ?? this.deps.feeds, place)
              : helpTopic(
                  request.topic,
                  this.deps.helpFeeds ?? this.deps.feeds,
                  this.deps.digestSchedule,
                  (this.deps.now ?? (() => new Date()))(),
                  place,
                ),
        };
      }
      case 'subscribe':
        return subscribe(this.deps, context, request.feed, request);
      case 'unsubscribe':
        return unsubscribe(this.deps, context, request.feed);
      case 'subscriptions':
        return listSubscriptions(this.deps, context);
      case 'test':
        return testAnnouncement(this.deps, context);
      case 'why':
        return why(this.deps, context, request.query);
      case 'follow':
        return follow(this.deps, context, request.feed);
      case 'unfollow':
        return unfollow(this.deps, context, request.feed);
      default:
        // Only reachable from an unchecked caller; the type says it cannot happen.
        return {
          kind: 'error',
          message: unknownCommandMessage(String((request as { name?: unknown }).name)),
        };
    }
  }
}
