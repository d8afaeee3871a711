import { renderConsoleReply } from '../../adapters/console/reply.js';
import { renderDiscordReply } from '../../adapters/discord/reply.js';
import { renderSlackReply } from '../../adapters/slack/reply.js';
import { GENERIC_FAILURE } from '../../src/commands/command-core.js';
import { parseCommandText } from '../../src/commands/parse.js';
import type { CommandContext, CommandRequest, PollerHealth, Reply } from '../../src/commands/types.js';
import type { Config, FeedConfig } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import { PLATFORMS, type Platform } from '../../src/posts/post.js';
import { PostIndex } from '../../src/search/post-index.js';
import { reportFailure } from '../cli-errors.js';
import { ConsoleAnnouncer } from '../../adapters/console/console-announcer.js';
import { deliveryLookup, testAnnouncer } from '../delivery/lookup.js';
import {
  deliverySafety,
  deliveryStatusNotes,
  invalidRequestNotes,
  type InvalidRequestsStatus,
} from '../delivery/safety.js';
import { DISCORD_REQUEST_LIMITS, RedisRequestBudget } from '../../src/delivery/request-budget.js';
import { RenderingAnnouncer } from './rendering-announcer.js';
import { QUEUE } from '../queues.js';
import { openAllQueues, pollerHealth, queueHealth } from '../queue-health.js';
import { commandCore, withStores, type Stores } from '../stores.js';

/** The local operator: the console channel, allowed to manage it. */
const LOCAL_CONTEXT: CommandContext = {
  platform: 'console',
  workspaceId: 'local',
  channelId: 'console',
  userId: 'cli',
  canManage: true,
};

function isShared(request: CommandRequest | null): boolean {
  return request !== null && 'share' in request && request.share;
}

/** The body the platform would receive in answer to the command. */
export function platformPayload(platform: Platform, reply: Reply, request: CommandRequest | null): object {
  if (platform === 'discord') return renderDiscordReply(reply, { ephemeral: !isShared(request) });
  if (platform === 'slack') return renderSlackReply(reply, { share: isShared(request) });
  return renderConsoleReply(reply);
}

/**
 * The configured feeds, then the other `names`. Lookups know every feed with posts in Redis (what the running
 * bot polled, whatever this shell's PSF_FEEDS says); `help` names only those the running poller polls, so a
 * feed polled once by hand (`poll --once --feed x=URL`) stays answerable without being listed forever.
 */
export function knownFeeds(configured: FeedConfig[], names: Iterable<string>): FeedConfig[] {
  const feeds = [...configured];
  for (const name of new Set(names)) {
    if (!feeds.some((feed) => feed.name === name)) feeds.push({ name, url: '' });
  }
  return feeds;
}

/** The feeds the running poller has a schedule for (none when no poller ever ran). */
async function scheduledFeeds(poller: PollerHealth | undefined): Promise<string[]> {
  return poller ? (await poller.state()).schedules.map((schedule) => schedule.feed) : [];
}

/**
 * Prints the reply as asked; an error reply is also one plain line on stderr (docs/cli.md). `announcement` is
 * the body `test` would post on the platform asked for, in the subscription's template and style.
 */
function printReply(
  reply: Reply,
  request: CommandRequest | null,
  options: AskOptions,
  announcement: object | null = null,
  fields: object = {},
): void {
  const payload = options.platform ? platformPayload(options.platform, reply, request) : undefined;
  if (options.json) {
    const extra = { ...fields, ...(payload ? { payload } : {}), ...(announcement ? { announcement } : {}) };
    process.stdout.write(`${JSON.stringify({ ...reply, ...extra }, null, 2)}\n`);
  } else if (reply.kind !== 'error') {
    // As `preview` does: the console's text, or the body Discord or Slack would receive.
    process.stdout.write(
      options.platform && options.platform !== 'console'
        ? `${JSON.stringify(payload, null, 2)}\n`
        : `${renderConsoleReply(reply).text}\n`,
    );
  }
  if (announcement && !options.json) process.stdout.write(`${JSON.stringify(announcement, null, 2)}\n`);
  if (reply.kind === 'error') reportFailure(reply.message.replace(/\s*\n\s*/g, ' '));
}

type AskOptions = { platform?: Platform; json?: boolean };

/**
 * Discord's invalid-request standing, read from the budget every worker process counts into (one token, one
 * IP): shown when this shell configures Discord or the running bot counted any.
 */
async function invalidRequests(
  config: Config,
  stores: Pick<Stores, 'redis' | 'prefix'>,
): Promise<InvalidRequestsStatus[]> {
  const budget = new RedisRequestBudget(stores.redis, stores.prefix, 'discord', DISCORD_REQUEST_LIMITS);
  const standing = await budget.standing();
  return config.discord || standing.count > 0 ? [{ platform: 'discord', ...standing }] : [];
}

/**
 * `psf-bot ask "<command>"`: answers from the store like `/psf` would. A mistake in the command (unknown
 * subcommand, feed or count) exits 2 like any usage error; a failure of the store exits 1.
 */
export async function runAsk(
  config: Config,
  text: string,
  options: AskOptions,
  logger: Logger,
): Promise<number> {
  const parsed = parseCommandText(text);
  if (!parsed.ok) {
    printReply({ kind: 'error', message: parsed.message }, null, options);
    return 2;
  }
  const request = parsed.request;
  return withStores(config, logger, async (stores) => {
    const queues = openAllQueues(stores.target.connection, stores.prefix);
    try {
      const stored = await stores.posts.all();
      const poll = queues.find((queue) => queue.name === QUEUE.poll);
      const poller = poll ? pollerHealth(poll) : undefined;
      const helpFeeds = request.name === 'help' ? await scheduledFeeds(poller) : [];
      // The operator's view: every guard pause and look note of every server and workspace, on every platform
      // (this shell's configuration may name fewer than the running bot serves).
      const safety = deliverySafety(stores.redis, stores.prefix);
      const invalid = request.name === 'status' ? await invalidRequests(config, stores) : [];
      const notes = async () => [
        ...(await deliveryStatusNotes(safety, PLATFORMS)),
        ...invalidRequestNotes(invalid),
      ];
      // `test` posts to the console channel, which is this terminal: on stderr, so `--json` stays clean. With
      // `--platform discord|slack` it renders the announcement that platform would be sent instead.
      const rendering =
        options.platform && options.platform !== 'console' ? new RenderingAnnouncer(options.platform) : null;
      const core = commandCore(
        config,
        stores,
        PostIndex.build(stored),
        queueHealth(queues, notes),
        logger,
        poller,
        knownFeeds(
          config.feeds,
          stored.map((post) => post.feed),
        ),
        {
          helpFeeds: knownFeeds(config.feeds, helpFeeds),
          deliveries: deliveryLookup(queues),
          testAnnouncer: testAnnouncer({ console: rendering ?? new ConsoleAnnouncer(process.stderr) }),
        },
      );
      const reply = await core.handle(request, LOCAL_CONTEXT);
      printReply(reply, request, options, rendering?.payload ?? null, {
        ...(request.name === 'status' && reply.kind !== 'error' ? { invalidRequests: invalid } : {}),
      });
      if (reply.kind !== 'error') return 0;
      return reply.message === GENERIC_FAILURE ? 1 : 2;
    } finally {
      await Promise.all(queues.map((queue) => queue.close()));
    }
  });
}
