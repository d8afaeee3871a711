// Secrets that can hide inside text we log: credentials and query strings in URLs, tokens in URL paths
// (Discord interaction and webhook tokens are valid for 15 minutes), Slack and Discord tokens. Every pattern
// starts at a fixed character or the start of a run, so one pass is linear in the text (issue 12).

const MARK = '[redacted]';

/** Longest string kept in a log line; the rest of a longer one is cut and counted. */
export const LOG_STRING_CAP = 2048;

/**
 * One URL at a time (a greedy run that the next match starts after, so the scan never goes back):
 * `https://user:pass@host/p?key=…` becomes `https://[redacted]@host/p?[redacted]`.
 */
const URL_RUN = /\bhttps?:\/\/[^\s"'<>]*/gi;

function redactUrl(url: string): string {
  const scheme = url.indexOf('//') + 2;
  const slash = url.indexOf('/', scheme);
  const authorityEnd = slash < 0 ? url.length : slash;
  const at = url.lastIndexOf('@', authorityEnd);
  let out = at >= scheme ? `${url.slice(0, scheme)}${MARK}${url.slice(at)}` : url;
  const query = out.indexOf('?');
  if (query >= 0) {
    const hash = out.indexOf('#', query);
    out = `${out.slice(0, query)}?${MARK}${hash < 0 ? '' : out.slice(hash)}`;
  }
  return out;
}

const PATTERNS: [RegExp, string | ((match: string, ...groups: string[]) => string)][] = [
  [URL_RUN, redactUrl],
  // /webhooks/<application id>/<token>, /interactions/<id>/<token>/callback
  [/(\/(?:webhooks|interactions)\/\d{1,25}\/)[A-Za-z0-9_.-]{1,500}/g, `$1${MARK}`],
  // Any other path segment that looks random: long, mixed case and digits (a slug is lower case).
  [
    /\/([A-Za-z0-9_-]{24,})(?=[/?#"'\s]|$)/g,
    (match, segment: string) =>
      /[A-Z]/.test(segment) && /[a-z]/.test(segment) && /\d/.test(segment) ? `/${MARK}` : match,
  ],
  // Slack tokens (xoxb-, xoxp-, xoxe-, xapp-…).
  [/(?<![\w-])(xox[a-z]|xapp)-[A-Za-z0-9-]{1,500}/g, `$1-${MARK}`],
  // Discord bot tokens: three base64url parts joined by dots.
  [/(?<![\w-])[\w-]{20,40}\.[\w-]{4,10}\.[\w-]{20,60}(?![\w-])/g, MARK],
];

/** Text with every secret-looking part replaced by `[redacted]`. */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) {
    out =
      typeof replacement === 'string' ? out.replace(pattern, replacement) : out.replace(pattern, replacement);
  }
  return out;
}

/** Text cut to `max` characters, saying how much was left out. */
export function boundText(text: string, max = LOG_STRING_CAP): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/**
 * A URL as people may see it, in chat or in logs: scheme, host and path only, never credentials, a query
 * string or a fragment. The one place a feed URL is rendered for people. A file path is shown as written.
 */
export function displayUrl(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return boundText(url, 300);
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'file:') return boundText(parsed.pathname, 300);
    return boundText(`${parsed.protocol}//${parsed.host}${parsed.pathname}`, 300);
  } catch {
    return 'an unreadable URL';
  }
}
