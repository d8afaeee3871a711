import type { APIEmbed, APIInteractionResponseCallbackData } from 'discord.js';
import type { Reply } from '../../src/commands/types.js';
import { EMBED_COLOR, fitEmbeds, postEmbed } from './embeds.js';
import {
  CONTENT_LIMIT,
  EMBED_LIMITS,
  EPHEMERAL_FLAG,
  escapeMarkdown,
  noMentions,
  truncate,
} from './limits.js';

/** The `data` of an interaction response (type 4) or of an edit to `@original`, always without pings. */
export type DiscordReplyData = APIInteractionResponseCallbackData & { allowed_mentions: { parse: [] } };

/** A compact lookup embed leaves room for ten of them inside the 6000-character message total. */
const LOOKUP_DESCRIPTION_LIMIT = 350;

/**
 * Renders the core's neutral reply as interaction response data: posts as embeds (at most 10), text as
 * content (or an embed when it outgrows the 2000-character content limit), errors as a warning line.
 * `allowed_mentions: { parse: [] }` is always set: interaction replies otherwise parse user mentions:
 * https://discord.com/developers/docs/resources/message#allowed-mentions-object
 */
export function renderDiscordReply(reply: Reply, options: { ephemeral: boolean }): DiscordReplyData {
  const flags = options.ephemeral ? { flags: EPHEMERAL_FLAG } : {};
  switch (reply.kind) {
    case 'posts':
      return { ...postsReply(reply), ...flags, allowed_mentions: noMentions() };
    case 'text':
      return { ...textReply(reply.text, reply), ...flags, allowed_mentions: noMentions() };
    case 'error':
      return {
        content: truncate(`⚠️ ${withMentions(escapeReplyText(reply.message), reply)}`, CONTENT_LIMIT),
        ...flags,
        allowed_mentions: noMentions(),
      };
  }
}

function postsReply(reply: Extract<Reply, { kind: 'posts' }>): APIInteractionResponseCallbackData {
  const lines = [`**${escapeMarkdown(reply.heading)}**`];
  if (reply.suggestions && reply.suggestions.length > 0) {
    lines.push(`Closest tags: ${reply.suggestions.map((tag) => `\`${tag.replace(/`/g, "'")}\``).join(', ')}`);
  }
  const embeds = fitEmbeds(
    reply.posts
      .slice(0, EMBED_LIMITS.embeds)
      .map((post) => postEmbed(post, { tagsAs: 'footer', descriptionLimit: LOOKUP_DESCRIPTION_LIMIT })),
  );
  return { content: truncate(lines.join('\n'), CONTENT_LIMIT), ...(embeds.length > 0 ? { embeds } : {}) };
}

function textReply(
  raw: string,
  named: { channels?: readonly string[]; roles?: readonly string[] },
): APIInteractionResponseCallbackData {
  const text = withMentions(escapeReplyText(raw.trim()), named);
  if (text.length <= CONTENT_LIMIT) return { content: text || '…' };
  const embed: APIEmbed = { description: truncate(text, EMBED_LIMITS.description), color: EMBED_COLOR };
  return { embeds: [embed] };
}

/**
 * Escaping turned the core's `<#123>` and `<@&123>` into text; only the channels and roles the reply names
 * (snowflakes: digits) become channel and role mentions again, so nothing else in the text can. They never
 * ping: every reply carries `allowed_mentions: { parse: [] }`, which lists no role.
 */
function withMentions(
  text: string,
  named: { channels?: readonly string[]; roles?: readonly string[] },
): string {
  const snowflakes = (ids: readonly string[] | undefined) =>
    new Set((ids ?? []).filter((id) => /^\d{1,25}$/.test(id)));
  const channels = snowflakes(named.channels);
  const roles = snowflakes(named.roles);
  if (channels.size === 0 && roles.size === 0) return text;
  return text.replace(/\\<(#|@&)(\d{1,25})\\>/g, (whole, kind: string, id: string) =>
    (kind === '#' ? channels : roles).has(id) ? `<${kind}${id}>` : whole,
  );
}

/**
 * Text replies carry untrusted words (feed labels in `tags`, a feed's last error in `status`, the user's own
 * query in `search`), so they get the announcements' escaping. Code spans are kept: one backtick each side,
 * nothing but plain characters inside, so Discord renders their content literally (no link, no mention) and
 * the core's `command` names still read as code.
 */
export function escapeReplyText(text: string): string {
  const span = /(?<!`)`([^`\n]{1,200})`(?!`)/g;
  let out = '';
  let last = 0;
  for (const match of text.matchAll(span)) {
    out += escapeMarkdown(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + escapeMarkdown(text.slice(last));
}
