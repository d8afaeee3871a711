// Slack text helpers. Slack parses `&`, `<` and `>` as control characters in mrkdwn and in a message's
// top-level `text`, so every piece of feed text is escaped with exactly these three entities; escaping more
// would show literally ("only the specific characters shown above will be decoded").
// https://docs.slack.dev/messaging/formatting-message-text/#escaping

const ELLIPSIS = '…';
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Escapes untrusted text for mrkdwn: `<!channel>`, `<!here>` and `<@U123>` become inert text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/[&<>]/g, (char) => ENTITIES[char] ?? char);
}

/**
 * Cuts text to at most `max` UTF-16 units (never splitting a code point), preferring a word boundary
 * near the end, and marks the cut with an ellipsis.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = '';
  for (const char of text) {
    if (kept.length + char.length > max - ELLIPSIS.length) break;
    kept += char;
  }
  const space = kept.lastIndexOf(' ');
  if (space >= kept.length - 20 && space > 0) kept = kept.slice(0, space);
  return `${kept.trimEnd()}${ELLIPSIS}`;
}

/** Escapes then fits within `max` characters, cutting the raw text so no entity is split. */
export function escapeAndFit(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  let kept = '';
  let length = 0;
  for (const char of text) {
    const piece = ENTITIES[char] ?? char;
    if (length + piece.length > max - ELLIPSIS.length) break;
    kept += char;
    length += piece.length;
  }
  const space = kept.lastIndexOf(' ');
  if (space >= kept.length - 20 && space > 0) kept = kept.slice(0, space);
  return `${escapeMrkdwn(kept.trimEnd())}${ELLIPSIS}`;
}

/** The URL if it is a well-formed http(s) URL, normalised; `null` otherwise (never a `javascript:` link). */
export function webUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * A mrkdwn link `<url|label>`. WHATWG URL serialisation already percent-encodes `<` and `>`; `|` would end
 * the URL part and `&` must be an entity, so both are handled here.
 */
export function mrkdwnLink(url: string, label: string, maxLabel: number): string {
  const safeUrl = url.replace(/\|/g, '%7C').replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E');
  return `<${safeUrl}|${escapeAndFit(label, maxLabel)}>`;
}

/**
 * A date Slack shows in the reader's own time zone, with a plain fallback for clients that cannot.
 * https://docs.slack.dev/messaging/formatting-message-text/#date-formatting
 */
export function slackDate(iso: string | null): string | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  const fallback = new Date(ms).toISOString().slice(0, 10);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty}|${fallback}>`;
}
