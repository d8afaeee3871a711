// A subscription's announcement template: `New on {{feed}}: {{title}} ({{author||text::the PSF}})`.
// The template text is the manager's; every placeholder value is feed text, which the platform's format
// escapes and fits. Parsing and rendering look at each character a bounded number of times.

/** The placeholders a template may use, in the order `help` and refusals list them. */
export const PLACEHOLDERS = ['title', 'summary', 'link', 'author', 'date', 'tags', 'feed', 'image'] as const;

export type Placeholder = (typeof PLACEHOLDERS)[number];

/** Longest template a subscription keeps: a few lines of text around the placeholders. */
export const MAX_TEMPLATE_LENGTH = 1000;

/** Largest cap `{{summary:N}}`: no platform shows more in one text. */
export const MAX_CAP = 4000;

/** One choice of a slot: a placeholder (with an optional cap) or the manager's literal text. */
export type Choice = { placeholder: Placeholder; cap?: number } | { literal: string };

/** A parsed template: the manager's text, and slots whose first non-empty choice is shown. */
export type TemplatePart = { text: string } | { choices: Choice[] };

export type ParsedTemplate = { ok: true; parts: TemplatePart[] } | { ok: false; message: string };

const OPEN = '{{';
const CLOSE = '}}';
const KNOWN = `Known placeholders: ${PLACEHOLDERS.map((name) => `{{${name}}}`).join(', ')}.`;

/**
 * Parses a template, refusing what it cannot render: an unclosed `{{`, an empty slot, an unknown
 * placeholder (the refusal lists the known ones), a cap that is not a whole number from 1 to 4000.
 */
export function parseTemplate(text: string): ParsedTemplate {
  if (text.length > MAX_TEMPLATE_LENGTH)
    return { ok: false, message: `A template has at most ${MAX_TEMPLATE_LENGTH} characters.` };
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf(OPEN, at);
    if (open < 0) break;
    const close = text.indexOf(CLOSE, open + OPEN.length);
    if (close < 0) return { ok: false, message: 'A `{{` in the template is never closed with `}}`.' };
    if (open > at) parts.push({ text: text.slice(at, open) });
    const choices = parseSlot(text.slice(open + OPEN.length, close));
    if (typeof choices === 'string') return { ok: false, message: choices };
    parts.push({ choices });
    at = close + CLOSE.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return { ok: true, parts };
}

/** `a||b:200||text::literal` → its choices, or the message refusing it. */
function parseSlot(slot: string): Choice[] | string {
  const choices: Choice[] = [];
  for (const raw of slot.split('||')) {
    if (raw.startsWith('text::')) {
      choices.push({ literal: raw.slice('text::'.length) });
      continue;
    }
    const word = raw.trim();
    const colon = word.indexOf(':');
    const name = (colon < 0 ? word : word.slice(0, colon)).trim().toLowerCase();
    if (name === '') return `An empty placeholder \`{{${shown(slot)}}}\`. ${KNOWN}`;
    if (!(PLACEHOLDERS as readonly string[]).includes(name))
      return `Unknown placeholder \`{{${shown(name)}}}\`. ${KNOWN} Fallbacks: \`{{author||feed||text::the PSF}}\`; a cap: \`{{summary:200}}\`.`;
    if (colon < 0) {
      choices.push({ placeholder: name as Placeholder });
      continue;
    }
    const cap = word.slice(colon + 1).trim();
    if (!/^\d{1,4}$/.test(cap) || Number(cap) < 1 || Number(cap) > MAX_CAP)
      return `The cap in \`{{${shown(word)}}}\` must be a whole number from 1 to ${MAX_CAP}.`;
    choices.push({ placeholder: name as Placeholder, cap: Number(cap) });
  }
  return choices;
}

function shown(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The unknown-placeholder (or other) problem of a template, null when it renders. */
export function templateProblem(text: string): string | null {
  const parsed = parseTemplate(text);
  return parsed.ok ? null : parsed.message;
}
