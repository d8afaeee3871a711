/**
 * Discord's message and embed limits, and the text helpers that keep untrusted text inside them.
 * Limits: https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 * and https://discord.com/developers/docs/resources/message#create-message (content, 10 embeds).
 */
export const EMBED_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  /** Sum of title, description, field names and values, footer and author over every embed of a message. */
  total: 6000,
  /** Embeds per message. */
  embeds: 10,
} as const;

/** Message `content` limit. */
export const CONTENT_LIMIT = 2000;

/** Ephemeral message flag, 1 << 6: https://discord.com/developers/docs/resources/message#message-object-message-flags */
export const EPHEMERAL_FLAG = 64;

/** Suppresses every ping (users, roles, @everyone/@here): feed text and replies are untrusted. */
export function noMentions(): { parse: [] } {
  return { parse: [] };
}

const ELLIPSIS = '…';

/**
 * Cuts `text` to at most `limit` UTF-16 units, on a word boundary when one is near, with an ellipsis.
 * Counting UTF-16 units is conservative: Discord counts characters, and no character is fewer units than
 * code points. A surrogate pair is never split. Discord trims surrounding whitespace, so we trim first.
 */
export function truncate(text: string, limit: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= limit) return trimmed;
  let cut = limit - ELLIPSIS.length;
  if (cut <= 0) return ELLIPSIS.slice(0, limit);
  const code = trimmed.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  let head = trimmed.slice(0, cut);
  const space = head.lastIndexOf(' ');
  if (space > cut * 0.8) head = head.slice(0, space);
  // A cut right after a markdown escape would leave a lone backslash that escapes the ellipsis.
  head = head.replace(/\\+$/, (slashes) => (slashes.length % 2 === 0 ? slashes : slashes.slice(1)));
  return `${head.trimEnd()}${ELLIPSIS}`;
}

const URL_PATTERN = /(https?:\/\/[^\s<>]+)/;

/**
 * Escapes Discord markdown in untrusted text so a feed item cannot inject formatting, masked links,
 * headings or mention syntax (`<@&id>` renders as text). URLs are left intact so they still autolink.
 * Syntax: https://support.discord.com/hc/en-us/articles/210298617
 */
export function escapeMarkdown(text: string): string {
  return text
    .split(URL_PATTERN)
    .map((part, index) => (index % 2 === 1 ? part : escapePlain(part)))
    .join('');
}

function escapePlain(text: string): string {
  return (
    text
      .replace(/[\\*_~`|[\]<>]/g, '\\$&')
      // Line-start markers: headings, subtext and bullets escape their symbol; ordered lists their dot
      // (a backslash before a digit would show, since only punctuation can be escaped).
      .replace(/^([ \t]*)(#{1,3}|-#|[-+])(?=\s)/gm, '$1\\$2')
      .replace(/^([ \t]*\d+)\.(?=\s)/gm, '$1\\.')
  );
}

/**
 * Longest URL we put in an embed (`url`, thumbnail). Discord refuses longer ones with 400 50035 but does not
 * document the number; 2048 is the limit discord-api-docs#6531 set out to document for embed URLs.
 */
export const EMBED_URL_LIMIT = 2048;

/** A URL Discord will accept in an embed (`url`, thumbnail): absolute http(s) that fits, else null (dropped). */
export function embedUrl(value: string | null | undefined): string | null {
  if (!value || value.length > EMBED_URL_LIMIT * 3) return null;
  try {
    const url = new URL(value).toString();
    const web = /^https?:/i.test(url);
    return web && url.length <= EMBED_URL_LIMIT ? url : null;
  } catch {
    return null;
  }
}
