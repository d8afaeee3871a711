import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  ConfigError,
  debugRequested,
  loadConfig,
  parseFeedList,
  type Config,
  type FeedConfig,
} from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { UsageError } from './cli-errors.js';
import type { PreviewOptions } from './commands/preview.js';
import { STYLES } from '../src/templates/style.js';
import { templateProblem } from '../src/templates/template.js';
import { ROLES, type Role } from './roles.js';

// Each command's module is imported when it runs, so `--help` and the light commands do not load
// discord.js, Bolt and BullMQ they never use.

const PLATFORM_CHOICES = ['discord', 'slack', 'console'] as const;
type PlatformChoice = (typeof PLATFORM_CHOICES)[number];

function readConfig(): Config {
  return loadConfig();
}

/** The version in package.json, found from this module in the sources (jobs/) and in the build (dist/jobs/). */
function packageVersion(): string {
  for (const up of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'psf-bot' && pkg.version) return pkg.version;
    } catch {
      // Not at this level: try the next one up.
    }
  }
  return 'unknown';
}

/** `--feed NAME` picks a configured feed; `--feed NAME=URL` names a new one. */
export function selectFeeds(config: Config, option: string | undefined): FeedConfig[] {
  if (!option) return config.feeds;
  const eq = option.indexOf('=');
  if (eq > 0) {
    const { feeds, problems } = parseFeedList(option);
    if (problems.length > 0) throw new UsageError(`--feed: ${problems[0]}`);
    return feeds;
  }
  const feed = config.feeds.find((candidate) => candidate.name === option);
  if (!feed) {
    throw new UsageError(
      `unknown feed "${option}"; configured: ${config.feeds.map((f) => f.name).join(', ')}`,
    );
  }
  return [feed];
}

/** `--template`: refused at once, with the known placeholders, when it would not render. */
function template(value: string): string {
  const problem = templateProblem(value);
  if (problem) throw new InvalidArgumentError(problem);
  return value;
}

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

/** A command over feeds: `--feed NAME|NAME=URL` and `--json`, as `poll` and `backfill` take them. */
function feedCommand(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .option('--feed <feed>', 'NAME of a configured feed, or NAME=URL')
    .option('--json', 'one JSON object per feed, one per line (JSON Lines)')
    .addHelpText(
      'after',
      '\nWith --json the output is JSON Lines: one object per feed, each on its own line. For one JSON array:\n' +
        `  psf-bot ${name}${name === 'poll' ? ' --once' : ''} --json | jq -s .`,
    );
}

function platformOption(): Option {
  // No commander default: `ask --json` adds `payload` only when --platform is given (docs/cli.md).
  return new Option('--platform <platform>', 'render for this platform (default: console)').choices(
    PLATFORM_CHOICES,
  );
}

/** Builds the `psf-bot` program; actions resolve to an exit status. */
export function buildProgram(setStatus: (status: number) => void): Command {
  const program = new Command('psf-bot')
    .description('Announces Python Software Foundation news in Discord and Slack and answers /psf lookups')
    // docs/cli.md: a usage error is one line on stderr, so commander's hints ("Did you mean …?") join it, and
    // it starts `psf-bot: ` like every other error, not with commander's own `error: `.
    .configureOutput({
      outputError: (text, write) =>
        write(
          `${text
            .trim()
            .replace(/^error: /, 'psf-bot: ')
            .replace(/\s*\n\s*/g, ' ')} (run with --help for usage)\n`,
        ),
    })
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride();
  // One-shot commands report failures as one plain line (docs/cli.md); their warn/info logs would add JSON lines
  // to stderr, so they log errors only, unless LOG_LEVEL=debug|trace asks for everything.
  const logger = () => createLogger(debugRequested() ? readConfig().logLevel : 'error', { destination: 2 });

  program
    .command('start')
    .description('run the service')
    .addOption(new Option('--role <role>', 'which part to run').choices(ROLES).default('all'))
    .action(async (options: { role: Role }) =>
      setStatus(await (await import('./runtime.js')).runStart(readConfig(), options.role)),
    );

  feedCommand(
    program,
    'poll',
    'poll each feed (or the one named) once: fetch, store, index, queue announcements',
  )
    .option('--once', 'poll once and exit (required: see below)')
    .addHelpText(
      'after',
      "\n--once is required: this command polls once and exits. Polling on a schedule is the service's job:\n" +
        '`npx psf-bot start` (role all or poller) polls every feed each POLL_INTERVAL.',
    )
    .action(async (options: { once?: boolean; feed?: string; json?: boolean }) => {
      if (!options.once) {
        throw new UsageError(
          'poll needs --once: it polls once and exits; `psf-bot start` polls on a schedule',
        );
      }
      const config = readConfig();
      setStatus(
        await (
          await import('./commands/poll.js')
        ).runPoll(config, selectFeeds(config, options.feed), Boolean(options.json), logger()),
      );
    });

  feedCommand(program, 'backfill', "index the feed's whole archive for lookups, announcing nothing").action(
    async (options: { feed?: string; json?: boolean }) => {
      const config = readConfig();
      setStatus(
        await (
          await import('./commands/backfill.js')
        ).runBackfill(config, selectFeeds(config, options.feed), Boolean(options.json), logger()),
      );
    },
  );

  program
    .command('preview')
    .description('parse a feed without Redis and print what each announcement would be')
    .argument('<source>', 'feed URL or file path')
    .addOption(platformOption())
    .option('--limit <n>', 'show at most N posts', positiveInt)
    .option('--template <text>', 'render with this template, e.g. "{{title}} by {{author||feed}}"', template)
    .addOption(
      new Option(
        '--style <style>',
        'render in this layout (discord: embed|components, slack: blocks|card)',
      ).choices(STYLES),
    )
    .option('--json', 'a JSON array of { post, payload }')
    .action(async (source: string, options: PreviewOptions & { platform?: PlatformChoice }) =>
      setStatus(await (await import('./commands/preview.js')).runPreview(readConfig(), source, options)),
    );

  program
    .command('ask')
    .description('run a /psf command against the store and print the reply')
    .argument('<command>', 'e.g. "latest 3" or "/psf tag grants"')
    .addOption(platformOption())
    .option('--json', 'the platform-neutral reply as JSON')
    .action(async (text: string, options: { platform?: PlatformChoice; json?: boolean }) =>
      setStatus(await (await import('./commands/ask.js')).runAsk(readConfig(), text, options, logger())),
    );

  program
    .command('status')
    .description(
      "the operator's status: every feed, queue count, pause and note, of every server and workspace",
    )
    .addOption(platformOption())
    .option('--json', 'the platform-neutral reply as JSON')
    .action(async (options: { platform?: PlatformChoice; json?: boolean }) =>
      setStatus(await (await import('./commands/ask.js')).runAsk(readConfig(), 'status', options, logger())),
    );

  const discord = program.command('discord').description('Discord tools');
  discord
    .command('register')
    .description('register the /psf slash commands (globally, or in one server)')
    .option('--guild <id>', 'register in this server only (instant); ID is a server id, 17 to 20 digits')
    .action(async (options: { guild?: string }) =>
      setStatus(
        await (
          await import('./commands/discord-register.js')
        ).runDiscordRegister(readConfig(), options.guild),
      ),
    );

  program
    .command('doctor')
    .description('check Redis, feeds, tokens and permissions; say what to fix')
    .action(async () =>
      setStatus(await (await import('./commands/doctor.js')).runDoctor(readConfig(), logger())),
    );

  const subscriptions = program
    .command('subscriptions')
    .description('back up and restore the subscriptions made in chat');
  subscriptions
    .command('export')
    .description('print every chat-made subscription, with its options, as JSON')
    .action(async () =>
      setStatus(
        await (await import('./commands/subscriptions.js')).runSubscriptionsExport(readConfig(), logger()),
      ),
    );
  subscriptions
    .command('import')
    .description('restore an export; refuses, importing nothing, if a channel already has a subscription')
    .argument('<file>', 'a file written by `subscriptions export`, or - for stdin')
    .action(async (file: string) =>
      setStatus(
        await (
          await import('./commands/subscriptions.js')
        ).runSubscriptionsImport(readConfig(), file, logger()),
      ),
    );

  program
    .command('deliveries')
    .description(
      'list deliveries that exhausted their retries or are unverified (a lost answer no look could check within 30 minutes), or re-drive them (an unverified one is sent without looking again)',
    )
    .addArgument(new Command().createArgument('<action>', 'failed | retry').choices(['failed', 'retry']))
    .argument('[ids...]', 'job ids to retry (default: every failed delivery)')
    .option('--json', 'JSON output')
    .action(async (action: 'failed' | 'retry', ids: string[], options: { json?: boolean }) =>
      setStatus(
        await (
          await import('./commands/deliveries.js')
        ).runDeliveries(readConfig(), action, ids, Boolean(options.json), logger()),
      ),
    );

  return program;
}

/**
 * Reads `.env` from the working directory when there is one, as .env.example promises. Variables already in
 * the environment win over the file (Node's loader never overwrites one), so `REDIS_URL=… psf-bot …` still
 * points where it says.
 */
export function loadDotEnv(path = '.env'): void {
  try {
    process.loadEnvFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new ConfigError([`${path} could not be read: ${(error as Error).message}`]);
  }
}

/** Maps anything thrown to docs/cli.md's exit statuses: 2 usage, 1 work failed, one plain line on stderr. */
export async function main(argv: string[]): Promise<number> {
  let status = 0;
  const program = buildProgram((value) => (status = value));
  try {
    loadDotEnv();
    await program.parseAsync(argv, { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ||
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version'
        ? 0
        : 2;
    }
    const debug = debugRequested();
    if (error instanceof ConfigError) {
      process.stderr.write(`psf-bot: ${error.message}\n`);
      return 2;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`psf-bot: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`psf-bot: ${message.split('\n')[0]}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
