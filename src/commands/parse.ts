import { MAX_TEMPLATE_LENGTH } from '../templates/template.js';
import { argumentValue, splitArguments } from './arguments.js';
import { COMMAND_NAMES, MAX_INPUT_LENGTH, unknownCommandMessage, validateRequest } from './command-schema.js';
import { MAX_COUNT, type CommandName, type ParsedCommand } from './types.js';

type Options = Record<string, string | number | boolean | undefined>;

const TOO_LONG = `That command is too long (at most ${MAX_INPUT_LENGTH} characters).`;
/** Lookups whose answer can be shared with the channel; subscription management always answers privately. */
const SHAREABLE = new Set<CommandName>(['latest', 'tag', 'tags', 'search', 'status', 'help']);
const NUMBER = /^[-+]?\d+(?:\.\d*)?$/;

/**
 * Parses `/psf` text from Slack or `psf-bot ask`: `latest 3 psf`, `/psf tag board of directors 3`,
 * `search python packaging share`, `subscribe psf grants,pycon`. Never throws.
 */
export function parseCommandText(text: string): ParsedCommand {
  if (typeof text !== 'string') return { ok: false, message: 'Send a command, or `help` to see them.' };
  // A template may add its own length to the command's; the rest stays within MAX_INPUT_LENGTH (below).
  if (text.length > MAX_INPUT_LENGTH + MAX_TEMPLATE_LENGTH + 2) return { ok: false, message: TOO_LONG };
  let words = splitArguments(text);
  if (words[0]?.toLowerCase() === '/psf') words = words.slice(1);
  const flagged = words.some((word) => word.toLowerCase() === '--share');
  words = words.filter((word) => word.toLowerCase() !== '--share');
  const [first, ...rest] = words;
  if (first === undefined) return validateRequest({ name: 'help', share: flagged });
  const name = first.toLowerCase() as CommandName;
  if (!COMMAND_NAMES.includes(name)) return { ok: false, message: unknownCommandMessage(first) };
  let args = rest;
  let share = false;
  if (SHAREABLE.has(name)) {
    share = flagged;
    if (args.length > 0 && args[args.length - 1]?.toLowerCase() === 'share') {
      share = true;
      args = args.slice(0, -1);
    }
  }
  if (text.length - (name === 'subscribe' ? templateLength(args) : 0) > MAX_INPUT_LENGTH)
    return { ok: false, message: TOO_LONG };
  const candidate = fromWords(name, args, share);
  return typeof candidate === 'string' ? { ok: false, message: candidate } : validateRequest(candidate);
}

/** Parses Discord's structured options (`count`, `tag`, `query`, `feed`, `tags`, `share`). Never throws. */
export function parseCommandOptions(name: string, options: Options): ParsedCommand {
  const command = String(name ?? '').toLowerCase() as CommandName;
  if (!COMMAND_NAMES.includes(command))
    return { ok: false, message: unknownCommandMessage(String(name ?? '')) };
  const { template: _template, ...counted } = options ?? {};
  const values = Object.values(counted);
  if (values.reduce<number>((sum, value) => sum + String(value ?? '').length, 0) > MAX_INPUT_LENGTH) {
    return { ok: false, message: TOO_LONG };
  }
  const candidate: Record<string, unknown> = { name: command };
  for (const key of [
    'topic',
    'count',
    'tag',
    'query',
    'feed',
    'tags',
    'share',
    'crosspost',
    'thread',
    'digest',
    'template',
    'style',
  ] as const) {
    const value = options?.[key];
    if (value !== undefined && value !== null) candidate[key] = value;
  }
  // Discord's `role` option is the subscription's mention; `channel` is resolved by the adapter.
  if (options?.role !== undefined && options.role !== null) candidate.mention = String(options.role);
  // Platforms send typed values, but a proxy or a test may send them as text.
  if (typeof candidate.count === 'string' && NUMBER.test(candidate.count))
    candidate.count = Number(candidate.count);
  if (candidate.share === 'true' || candidate.share === 'false') candidate.share = candidate.share === 'true';
  if (!SHAREABLE.has(command)) delete candidate.share;
  if (command !== 'subscribe') {
    delete candidate.crosspost;
    delete candidate.thread;
    delete candidate.mention;
    delete candidate.digest;
    delete candidate.template;
    delete candidate.style;
  }
  if (typeof candidate.digest === 'string') candidate.digest = candidate.digest.toLowerCase();
  if (typeof candidate.style === 'string') candidate.style = candidate.style.toLowerCase();
  if (command === 'tag' && candidate.tag === undefined) candidate.tag = '';
  if ((command === 'search' || command === 'why') && candidate.query === undefined) candidate.query = '';
  return validateRequest(candidate);
}

/** What `help <topic>` explains: each command (but `help` itself), `digest` and `install`. */
export const HELP_TOPICS: readonly string[] = [
  ...COMMAND_NAMES.filter((name) => name !== 'help'),
  'digest',
  'install',
];

/** A word `help` explains on its own: a command's name, `digest` or `install`. */
function isHelpTopic(word: string | undefined): word is string {
  const topic = word?.toLowerCase();
  return (
    topic !== undefined &&
    (topic === 'digest' || topic === 'install' || COMMAND_NAMES.includes(topic as CommandName))
  );
}

/** The fields of a request to validate, or the message refusing the words as given. */
type Candidate = Record<string, unknown> | string;

/** Turns the words after the subcommand into the fields of its request. */
function fromWords(name: CommandName, args: string[], share: boolean): Candidate {
  switch (name) {
    case 'latest':
      return latestFromWords(args, share);
    case 'tag':
      return tagFromWords(args, share);
    case 'search':
      return { name, query: args.join(' '), share };
    case 'subscribe':
      return subscribeFromWords(args);
    case 'why':
      return { name, query: args.join(' ') };
    case 'follow':
    case 'unfollow':
      if (args.length > 1) return `Name one feed at a time: \`${name} ${args[0]}\`.`;
      return { name, ...(args[0] === undefined ? {} : { feed: args[0] }) };
    case 'unsubscribe':
      if (args.length > 1)
        return 'Unsubscribe from one feed at a time (`unsubscribe psf`), or from all (`unsubscribe`).';
      return { name, ...(args[0] === undefined ? {} : { feed: args[0] }) };
    case 'tags':
      if (args.length > 0)
        return `\`tags\` lists every tag; to see the posts with one, send \`tag ${args.join(' ')}\`.`;
      return { name, share };
    case 'help':
      // `help subscribe`, `help digest`: one command in detail; any other word gets the short help.
      return { name, share, ...(isHelpTopic(args[0]) ? { topic: args[0].toLowerCase() } : {}) };
    default:
      if (args.length > 0) return `\`${name}\` takes no arguments.`;
      return name === 'status' ? { name, share } : { name };
  }
}

/** The words `template` and `style` take out of `subscribe`: `template "<text>"|none`, `style <name>`. */
function lookFromWords(words: string[]): Record<string, unknown> | string {
  const look: Record<string, unknown> = {};
  const styleAt = words.findIndex((word) => word.toLowerCase() === 'style');
  if (styleAt >= 0) {
    const style = words[styleAt + 1]?.toLowerCase();
    if (style === undefined)
      return 'Say which style: `style embed` or `style components` (Discord), `style blocks` or `style card` (Slack).';
    look.style = style;
    words.splice(styleAt, 2);
  }
  const at = words.findIndex((word) => word.toLowerCase() === 'template');
  if (at >= 0) {
    const word = words[at + 1];
    const value = word === undefined ? null : argumentValue(word);
    if (value === null)
      return 'Give the template in double quotes, for example `template "New: {{title}} by {{author||feed}}"`, or `template none`.';
    look.template = value;
    words.splice(at, 2);
  }
  return look;
}

/** The length of the template word of `subscribe`'s words (0 without one): it has its own limit. */
function templateLength(args: string[]): number {
  const at = args.findIndex((word) => word.toLowerCase() === 'template');
  return at >= 0 ? (args[at + 1]?.length ?? 0) : 0;
}

/**
 * `subscribe [feed…|all] [tag, -tag, tag:x…] [mention @group|none] [digest daily|weekly|off]
 * [template "<text>"|none] [style <name>]`: feeds and tags in any order; the option words may stand anywhere.
 */
function subscribeFromWords(args: string[]): Candidate {
  const words = [...args];
  const look = lookFromWords(words);
  if (typeof look === 'string') return look;
  const digestAt = words.findIndex((word) => word.toLowerCase() === 'digest');
  let digest: string | undefined;
  if (digestAt >= 0) {
    digest = words[digestAt + 1]?.toLowerCase();
    if (digest === undefined) return 'Say which digest: `digest daily`, `digest weekly` or `digest off`.';
    words.splice(digestAt, 2);
  }
  const at = words.findIndex((word) => word.toLowerCase() === 'mention');
  let mention: string | null | undefined;
  if (at >= 0) {
    const target = words[at + 1];
    if (target === undefined)
      return 'Mention whom? For example `subscribe psf mention @psf-news`, or `mention none`.';
    mention = target.toLowerCase() === 'none' ? null : slackGroup(target);
    words.splice(at, 2);
  }
  // Feeds and tags are one list here: the command core, which knows the feeds, tells them apart (a word
  // naming a feed is a feed, `all` every feed, `tag:x` the tag x).
  return {
    name: 'subscribe',
    ...(words.length === 0 ? {} : { tags: words.join(' ') }),
    ...(mention === undefined ? {} : { mention }),
    ...(digest === undefined ? {} : { digest }),
    ...look,
  };
}

/** Slack writes an escaped user group as `<!subteam^S0123|@handle>`; its id is what a mention needs. */
function slackGroup(word: string): string {
  const escaped = /^<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word);
  return escaped ? escaped[1]! : word;
}

/** `latest [count] [feed]`, in either order. */
function latestFromWords(args: string[], share: boolean): Candidate {
  const numbers = args.filter((word) => NUMBER.test(word));
  const words = args.filter((word) => !NUMBER.test(word));
  if (numbers.length > 1 || words.length > 1) {
    return 'Use `latest [count] [feed]`, for example `latest 3` or `latest 3 psf`.';
  }
  return {
    name: 'latest',
    share,
    ...(numbers[0] === undefined ? {} : { count: Number(numbers[0]) }),
    ...(words[0] === undefined ? {} : { feed: words[0] }),
  };
}

/** `tag <tag…> [count]`: tags may have several words, so only a trailing whole number is the count. */
function tagFromWords(args: string[], share: boolean): Candidate {
  const last = args[args.length - 1];
  if (args.length > 1 && last !== undefined && /^\d+$/.test(last)) {
    const count = Number(last);
    if (count < 1 || count > MAX_COUNT) {
      return `A count of ${last} is out of range: ask for 1 to ${MAX_COUNT} posts. For a tag ending in a number, put the count after it: \`tag ${args.join(' ')} 5\`.`;
    }
    return { name: 'tag', tag: args.slice(0, -1).join(' '), count, share };
  }
  return { name: 'tag', tag: args.join(' '), share };
}
