import { compile, type HtmlToTextOptions } from 'html-to-text';
import { capHtml, capTags, capText, looksLikeMarkup, stripMarkdownLinks } from './linear-text.js';

/** The default length budget of an announcement summary, in characters (DESIGN §3). */
export const SUMMARY_BUDGET = 300;

/** Most HTML a summary is made from: a summary shows 300 characters, and no real post needs more to find them. */
export const SUMMARY_HTML_CAP = 256 * 1024;

/** Longest title, author or tag we process, in characters; the rest is feed junk (issue 12). */
export const FIELD_CAP = 4096;

/** Most tags handed to the HTML parser at once (see `capTags`). */
const MAX_TAGS = 5000;

const ELLIPSIS = '…';

// Block elements end a line; lines are later joined into sentences, so lists, table cells and headings
// read as a run of short sentences instead of a layout.
const block = { leadingLineBreaks: 1, trailingLineBreaks: 1 };
const OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  // Hostile markup (issue 12): tens of thousands of siblings, or nesting deep enough to overflow the stack of a
  // recursive walk. A summary shows the first few hundred characters, far inside both limits.
  limits: { ellipsis: '', maxChildNodes: 500, maxDepth: 40 },
  preserveNewlines: false,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'noscript', format: 'skip' },
    { selector: 'iframe', format: 'skip' },
    { selector: 'svg', format: 'skip' },
    { selector: 'a', options: { ignoreHref: true, linkBrackets: false } },
    { selector: 'ul', format: 'block', options: block },
    { selector: 'ol', format: 'block', options: block },
    { selector: 'li', format: 'block', options: block },
    { selector: 'table', format: 'block', options: block },
    { selector: 'tr', format: 'block', options: block },
    { selector: 'td', format: 'block', options: block },
    { selector: 'th', format: 'block', options: block },
    { selector: 'hr', format: 'block', options: block },
    { selector: 'blockquote', format: 'block', options: block },
    { selector: 'pre', format: 'block', options: block },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({
      selector,
      format: 'block',
      options: block,
    })),
  ],
};

// Compiled once: html-to-text builds its selector decision tree per options object, a cost per call otherwise.
const convert = compile(OPTIONS);

// "Read more" links and the like that blogs append to excerpts; they say nothing in a chat message.
const BOILERPLATE = [
  /\b(?:read more|continue reading|keep reading)\s*(?:»|›|→|>>|\.{3}|…)/gi,
  // A sentence that only points elsewhere ("Read more 2019 Language Summit coverage.").
  /(?:^|(?<=[.!?]\s))(?:click here to )?(?:read more|continue reading|keep reading)\b[^.!?]{0,120}(?:[.!?]|$)/gi,
  /\(?\s*\b(?:click here to )?(?:read more|continue reading|keep reading)\b\s*[.:!]?\s*\)?\s*$/i,
  /\[\s*(?:…|\.{3})\s*\]/g,
  /\bthe post .{1,200}? appeared first on .{1,100}?\.\s*$/i,
];

const ABBREVIATIONS =
  /\b(?:e\.g|i\.e|etc|vs|mr|mrs|ms|dr|prof|st|jr|sr|inc|ltd|no|approx|dept|u\.s|a\.m|p\.m)\.$/i;

/** Plain text from a post's HTML (or a feed's text description): no markup, at most `budget` characters plus an ellipsis. */
export function summarise(html: string | null | undefined, budget = SUMMARY_BUDGET): string {
  const text = plainText(html ?? '');
  return fitBudget(text, Math.max(1, budget));
}

/** The whole plain text of some HTML, entities decoded, whitespace folded, boilerplate removed. */
export function plainText(html: string): string {
  if (html.trim() === '') return '';
  let text = convert(capTags(capHtml(html, SUMMARY_HTML_CAP), MAX_TAGS));
  // Some feeds escape their HTML twice: what comes out is markup again (`<div class="md"><p>…`, often led by a
  // comment); it gets one more pass as HTML. Others escape only entities twice (`&amp;amp;`): one more pass of
  // those, keeping any `<` literal. RSS descriptions are often Markdown: links lose their URLs.
  if (/^\s*<[a-z/!]/i.test(text) && looksLikeMarkup(text)) text = convert(capTags(text, MAX_TAGS));
  else if (/&(?:#\d{1,10}|#x[0-9a-f]{1,8}|[a-z]{1,32});/i.test(text))
    text = convert(text.replace(/</g, '&lt;'));
  text = stripMarkdownLinks(text);
  const lines = text
    .split(/\n+/)
    .map(foldSpace)
    .filter((line) => line !== '');
  let joined = joinAsSentences(lines);
  for (const pattern of BOILERPLATE) joined = joined.replace(pattern, ' ');
  // A space before closing punctuation is an artefact of the line joining ("word ,"); before a word it is
  // text: inline code such as `.whl` or `.tar.gz` keeps the space in front of its dot.
  return foldSpace(joined).replace(/\s+([.,;:!?])(?![\p{L}\p{N}_])/gu, '$1');
}

/** Plain text of a short piece of markup such as an HTML title: entities decoded, whitespace folded. */
export function inlineText(html: string): string {
  const capped = capText(html, FIELD_CAP);
  return looksLikeMarkup(capped) ? foldSpace(convert(capped)) : foldSpace(capped);
}

function foldSpace(text: string): string {
  return text
    .replace(/[\u200b-\u200d\u2060\ufeff\u00ad]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Joins layout lines (list items, cells, headings) into prose: a line without final punctuation gets a full stop. */
function joinAsSentences(lines: string[]): string {
  let out = '';
  for (const [i, line] of lines.entries()) {
    out += line;
    if (i === lines.length - 1) break;
    out += /[.!?:;,…]["'”’)\]]*$/.test(line) ? ' ' : '. ';
  }
  return out;
}

/** Whole sentences within the budget when they fill enough of it, else a cut on a word boundary with an ellipsis. */
function fitBudget(text: string, budget: number): string {
  if (text.length <= budget) return text;
  const sentences = wholeSentences(text, budget);
  if (sentences.length >= budget * 0.5) return sentences;
  return cutOnWord(text, budget);
}

function wholeSentences(text: string, budget: number): string {
  let end = 0;
  const boundary = /[.!?…]["'”’)\]]*(?=\s)/g;
  for (let match = boundary.exec(text); match; match = boundary.exec(text)) {
    const stop = match.index + match[0].length;
    if (stop > budget) break;
    if (ABBREVIATIONS.test(text.slice(Math.max(0, stop - 6), stop))) continue;
    end = stop;
  }
  return text.slice(0, end).trim();
}

function cutOnWord(text: string, budget: number): string {
  const room = text.slice(0, budget);
  const space = room.lastIndexOf(' ');
  const cut = space >= budget * 0.5 ? room.slice(0, space) : room;
  return cut.replace(/[\s,;:\-–—(\[{"'“‘]+$/u, '') + ELLIPSIS;
}
