import { z } from 'zod';
import { normaliseTag, splitTags, unquote } from '../posts/tags.js';
import { STYLES } from '../templates/style.js';
import { templateProblem } from '../templates/template.js';
import {
  DEFAULT_COUNT,
  MAX_COUNT,
  type CommandName,
  type CommandRequest,
  type ParsedCommand,
} from './types.js';

/** The subcommands, in the order `help` lists them. */
export const COMMAND_NAMES: readonly CommandName[] = [
  'latest',
  'tag',
  'tags',
  'search',
  'subscribe',
  'unsubscribe',
  'subscriptions',
  'status',
  'test',
  'why',
  'follow',
  'unfollow',
  'help',
];

/** Longest command text (or sum of option values) accepted: lookups are short; anything longer is noise. */
export const MAX_INPUT_LENGTH = 200;
const MAX_TAG_LENGTH = 100;

const countMessage = (input: unknown) =>
  typeof input === 'number' && Number.isInteger(input)
    ? `A count of ${input} is out of range: ask for 1 to ${MAX_COUNT} posts.`
    : `The count must be a whole number from 1 to ${MAX_COUNT}.`;

const count = z
  .number({ error: (issue) => countMessage(issue.input) })
  .int({ error: (issue) => countMessage(issue.input) })
  .min(1, { error: (issue) => countMessage(issue.input) })
  .max(MAX_COUNT, { error: (issue) => countMessage(issue.input) })
  .default(DEFAULT_COUNT);

const feed = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, { error: (issue) => `“${String(issue.input)}” is not a feed name.` })
  .optional();

const tag = z
  .string()
  .transform(unquote)
  .pipe(
    z
      .string()
      .min(1, { error: 'Which tag? For example `tag grants`; `tags` lists them all.' })
      .max(MAX_TAG_LENGTH, { error: 'That tag is too long.' })
      .refine((text) => normaliseTag(text) !== '', { error: 'Which tag? For example `tag grants`.' }),
  );

const query = z
  .string()
  .transform(unquote)
  .pipe(z.string().min(1, { error: 'Search for what? For example `search python packaging`.' }));

/** Writing `*` as the tags clears the filter: every post again. */
export const ALL_TAGS = '*';

/**
 * A subscription's tag filter, `pycon, -sponsors` (separated as `splitTags` reads them): plain tags include (any of them), tags written with a
 * leading `-` exclude (none of them). Absent: the filter is left as it is.
 */
const tagFilter = z
  .string()
  .max(500, { error: 'That tag list is too long.' })
  .optional()
  .transform((text) => {
    if (text === undefined) return {};
    const parts = text.trim() === ALL_TAGS ? [] : splitTags(text);
    const pick = (excluded: boolean) =>
      [
        ...new Set(
          parts
            .filter((part) => part.startsWith('-') === excluded)
            .map((part) => normaliseTag(excluded ? part.slice(1) : part)),
        ),
      ].filter(Boolean);
    const excludedTags = pick(true);
    return { tags: pick(false), ...(excludedTags.length > 0 ? { excludedTags } : {}) };
  });

/** A Discord role (snowflake), a Slack user group id (`S…`), `@handle` of a Slack user group, or null (none). */
const mention = z
  .union([
    z.null(),
    z
      .string()
      .trim()
      .regex(/^(?:\d{17,20}|S[A-Z0-9]{2,20}|@[\w.-]{1,80})$/, {
        error: 'Mention a role (Discord) or a user group (Slack, `mention @group`), or `mention none`.',
      }),
  ])
  .optional();

/**
 * A subscription's template, checked now so a mistake is said at once (an unknown placeholder lists the known
 * ones); `none` clears it (null).
 */
const template = z
  .string()
  .nullable()
  .optional()
  .transform((text, context) => {
    if (text === undefined || text === null) return text;
    const trimmed = text.trim();
    if (trimmed.toLowerCase() === 'none') return null;
    const problem =
      trimmed === ''
        ? 'The template is empty: give it in double quotes, or `template none` to clear it.'
        : templateProblem(trimmed);
    if (!problem) return trimmed;
    context.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  });

const style = z
  .enum(STYLES, {
    error: 'A style is `embed` or `components` (Discord), `blocks` or `card` (Slack).',
  })
  .optional();

const subscribeSchema = z.object({
  name: z.literal('subscribe'),
  feed,
  tags: tagFilter,
  crosspost: z.boolean().optional(),
  mention,
  thread: z.boolean().optional(),
  digest: z.enum(['off', 'daily', 'weekly'], { error: 'A digest is `daily`, `weekly` or `off`.' }).optional(),
  template,
  style,
});

const share = z.boolean().default(false);

const requestSchema = z.discriminatedUnion('name', [
  z.object({ name: z.literal('latest'), count, feed, share }),
  z.object({ name: z.literal('tag'), tag, count, share }),
  z.object({ name: z.literal('tags'), share }),
  z.object({ name: z.literal('search'), query, share }),
  subscribeSchema,
  z.object({ name: z.literal('unsubscribe'), feed }),
  z.object({ name: z.literal('subscriptions') }),
  z.object({ name: z.literal('status'), share }),
  z.object({
    name: z.literal('help'),
    topic: z.string().trim().toLowerCase().max(40, { error: 'Send `help` to see the commands.' }).optional(),
    share,
  }),
  z.object({ name: z.literal('test') }),
  z.object({ name: z.literal('follow'), feed }),
  z.object({ name: z.literal('unfollow'), feed }),
  z.object({
    name: z.literal('why'),
    query: z
      .string()
      .transform(unquote)
      .pipe(z.string().min(1, { error: 'Why what? Give a post URL, id or words of its title.' })),
  }),
]);

/** Validates a candidate request (from text or platform options); the first problem becomes the message. */
export function validateRequest(candidate: Record<string, unknown>): ParsedCommand {
  const parsed = requestSchema.safeParse(candidate);
  if (!parsed.success)
    return { ok: false, message: parsed.error.issues[0]?.message ?? 'That command is not valid.' };
  const data: Record<string, unknown> = parsed.data;
  // The tag filter parses into `{ tags, excludedTags }`: both fields of the subscribe request.
  const flat = parsed.data.name === 'subscribe' ? { ...data, tags: undefined, ...parsed.data.tags } : data;
  return { ok: true, request: withoutUndefined(flat) as CommandRequest };
}

/** exactOptionalPropertyTypes: an absent feed is left out, never set to undefined. */
function withoutUndefined(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));
}

/** The message for a subcommand we do not know, with the closest real one when there is one. */
export function unknownCommandMessage(word: string): string {
  const shown = word.length > 30 ? `${word.slice(0, 30)}…` : word;
  const guess = closestCommand(word.toLowerCase());
  const hint = guess ? ` Did you mean \`${guess}\`?` : '';
  return `Unknown command “${shown}”.${hint} Send \`help\` to see the commands.`;
}

function closestCommand(word: string): CommandName | null {
  let best: CommandName | null = null;
  let bestDistance = 3;
  for (const name of COMMAND_NAMES) {
    const distance = editDistance(word, name);
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best;
}

/** Optimal-string-alignment distance: a swapped pair of letters ("serach") counts as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j += 1) d[0]![j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, d[i - 2]![j - 2]! + 1);
      d[i]![j] = value;
    }
  }
  return d[a.length]![b.length]!;
}
