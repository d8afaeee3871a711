// Scanners for the few patterns we look for in untrusted feed text. Each one replaces a regular expression
// that backtracked (quadratic time on `<img <img …`, `<a <a …` or `[[[…`, issue 12): every character is
// looked at a bounded number of times, whatever the input.

/** Longest label `stripMarkdownLinks` unwraps, as the regular expression it replaces allowed. */
const MAX_LABEL = 300;

/** A tag longer than this is not a real `<img>`; its attributes are not searched for a `src`. */
const MAX_TAG = 8192;

/**
 * `[label](https://…)`, `[label](/path)` and `![alt](…)` become `label`: the plain text of Markdown links.
 * Same result as `text.replace(/!?\[([^\]\n]{1,300})\]\((?:https?:\/\/|\/)[^)\s]*\)/g, '$1')`, in linear time.
 */
export function stripMarkdownLinks(text: string): string {
  let out = '';
  let copied = 0;
  let search = 0;
  // First `)` or whitespace at or after `scanFrom`, remembered so overlapping URL scans never repeat work.
  let closerFrom = -1;
  let closer = -1;
  for (;;) {
    const p = text.indexOf('](', search);
    if (p < 0) break;
    const start = labelStart(text, p, copied);
    const urlStart = p + 2;
    if (start >= 0 && urlPrefix(text, urlStart)) {
      if (closer < urlStart || closerFrom > urlStart) {
        closerFrom = urlStart;
        closer = firstCloserOrSpace(text, urlStart);
      }
      if (text[closer] === ')') {
        const bang = start > copied && text[start - 1] === '!' ? start - 1 : start;
        out += text.slice(copied, bang) + text.slice(start + 1, p);
        copied = closer + 1;
        search = copied;
        continue;
      }
    }
    search = p + 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** The leftmost `[` before `p` with 1–300 characters, no `]` and no newline between; -1 when none. */
function labelStart(text: string, p: number, floor: number): number {
  let found = -1;
  const lowest = Math.max(floor, p - MAX_LABEL - 1);
  for (let i = p - 1; i >= lowest; i -= 1) {
    const char = text[i];
    if (char === ']' || char === '\n') break;
    if (char === '[' && p - i - 1 >= 1) found = i;
  }
  return found;
}

function urlPrefix(text: string, at: number): boolean {
  return text.startsWith('/', at) || text.startsWith('http://', at) || text.startsWith('https://', at);
}

function firstCloserOrSpace(text: string, from: number): number {
  for (let i = from; i < text.length; i += 1) {
    const char = text[i]!;
    if (char === ')' || /\s/.test(char)) return i;
  }
  return text.length;
}

/**
 * The `src` of the first `<img>` tag, or null. Same result as
 * `/<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']/i.exec(html)?.[1]`, in linear time: each tag's attributes are
 * scanned once, up to its `>`, and a tag with no `>` ends the search (no later tag can close either).
 */
export function firstImageSrc(html: string): string | null {
  const tag = /<img(?!\w)/gi;
  const quote = /["']/g;
  for (let open = tag.exec(html)?.index; open !== undefined; open = tag.exec(html)?.index) {
    const close = html.indexOf('>', open + 4);
    const end = close < 0 ? html.length : close;
    if (end - open <= MAX_TAG) {
      const attrs = html.slice(open + 4, end);
      const attr = /\bsrc\s*=\s*["']/gi;
      for (let m = attr.exec(attrs); m; m = attr.exec(attrs)) {
        const valueStart = open + 4 + m.index + m[0].length;
        quote.lastIndex = valueStart;
        const stop = quote.exec(html)?.index;
        if (stop === undefined) return null;
        if (stop > valueStart) return html.slice(valueStart, stop);
        attr.lastIndex = m.index + 1;
      }
    }
    if (close < 0) return null;
    tag.lastIndex = close + 1;
  }
  return null;
}

/**
 * Whether text holds an HTML entity or tag, so it needs an HTML-to-text pass. Linear: an entity is `&` then
 * at most 32 name characters and `;`; a tag is `<`, an optional `/`, a letter, a name, then `>` or `/>`, or
 * whitespace followed by a `>` anywhere later.
 */
export function looksLikeMarkup(text: string): boolean {
  if (/&(?:#\d{1,10}|#x[0-9a-f]{1,8}|[a-z]{1,32});/i.test(text)) return true;
  const lastGt = text.lastIndexOf('>');
  if (lastGt < 0) return false;
  for (let lt = text.indexOf('<'); lt >= 0 && lt < lastGt; lt = text.indexOf('<', lt + 1)) {
    let i = lt + 1;
    if (text[i] === '/') i += 1;
    if (!/[a-z]/i.test(text[i] ?? '')) continue;
    while (i < text.length && /[\w-]/.test(text[i]!)) i += 1;
    const next = text[i];
    if (next === '>' || (next === '/' && text[i + 1] === '>') || (next !== undefined && /\s/.test(next)))
      return true;
  }
  return false;
}

/** Cuts HTML to at most `max` characters, before the last tag that would be cut in half. */
export function capHtml(html: string, max: number): string {
  if (html.length <= max) return html;
  const lt = html.lastIndexOf('<', max);
  return lt >= max / 2 ? html.slice(0, lt) : html.slice(0, max);
}

/**
 * Cuts HTML before its `max`-th tag. htmlparser2 takes quadratic time on deeply nested unclosed elements
 * (52,000 `<div>` took 1.5 s, 13,000 took 30 ms), so the parser never sees more tags than a summary could use:
 * the longest of the 733 PSF posts has about 500.
 */
export function capTags(html: string, max: number): string {
  let at = -1;
  for (let count = 0; count < max; count += 1) {
    at = html.indexOf('<', at + 1);
    if (at < 0) return html;
  }
  return html.slice(0, at);
}

/** Cuts plain text to at most `max` UTF-16 units without splitting a surrogate pair. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
