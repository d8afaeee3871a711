import type { Post } from '../posts/post.js';
import { MAX_CAP, parseTemplate, type Choice, type Placeholder, type TemplatePart } from './template.js';

/**
 * How one platform writes a template's pieces. Each function returns at most `max` characters (text is cut
 * on a word with `…`); `url` and `date` are whole tokens, left out when they do not fit.
 */
export interface TemplateFormat {
  /** The manager's own text, made unable to ping (Slack's `<!channel>`) and fitted. */
  literal(text: string, max: number): string;
  /** Feed text, escaped for the platform (markdown, mentions) and fitted. */
  text(value: string, max: number): string;
  /** A post's http(s) URL as the platform shows it, or null. */
  url(value: string): string | null;
  /** The platform's own date for an ISO time (Discord `<t:…:D>`, Slack `<!date^…>`), or null. */
  date(iso: string): string | null;
}

const ELLIPSIS = '…';

/**
 * Renders a subscription's template for one post within `limit` characters; null when there is no template
 * or it renders to nothing. A template that no longer parses (stored before a rule changed) renders nothing
 * rather than the manager's raw braces.
 */
export function renderTemplate(
  template: string | undefined,
  post: Post,
  format: TemplateFormat,
  limit: number,
): string | null {
  if (!template) return null;
  const parsed = parseTemplate(template);
  if (!parsed.ok) return null;
  let out = '';
  for (const part of parsed.parts) {
    const remaining = limit - out.length;
    if (remaining <= 0) break;
    const piece = renderPart(part, post, format, remaining);
    if (piece.length <= remaining) out += piece;
  }
  const trimmed = out.trim();
  return trimmed === '' ? null : trimmed;
}

function renderPart(part: TemplatePart, post: Post, format: TemplateFormat, max: number): string {
  if ('text' in part) return format.literal(part.text, max);
  for (const choice of part.choices) {
    const piece = renderChoice(choice, post, format, max);
    if (piece) return piece;
  }
  return '';
}

function renderChoice(choice: Choice, post: Post, format: TemplateFormat, max: number): string | null {
  if ('literal' in choice) return choice.literal ? format.literal(choice.literal, max) : null;
  const name = choice.placeholder;
  if (name === 'link' || name === 'image') {
    const url = name === 'link' ? post.url : post.image;
    return url ? format.url(url) : null;
  }
  if (name === 'date') {
    const iso = post.publishedAt ?? post.updatedAt;
    return iso ? format.date(iso) : null;
  }
  const raw = rawText(name, post);
  if (!raw) return null;
  return format.text(choice.cap === undefined ? raw : capWords(raw, choice.cap), max);
}

/** A text placeholder's value, already no longer than any platform shows (so each use is bounded work). */
function rawText(name: Exclude<Placeholder, 'link' | 'image' | 'date'>, post: Post): string {
  const value =
    name === 'title'
      ? post.title
      : name === 'summary'
        ? post.summary
        : name === 'author'
          ? (post.author ?? '')
          : name === 'feed'
            ? post.feed
            : tagList(post.tags);
  return value.slice(0, MAX_CAP + 1).trim();
}

/** Tags as `grants, pycon`: joined only while they could still be shown. */
function tagList(tags: readonly string[]): string {
  let out = '';
  for (const tag of tags) {
    const trimmed = tag.trim();
    if (!trimmed) continue;
    out += out ? `, ${trimmed}` : trimmed;
    if (out.length > MAX_CAP) break;
  }
  return out;
}

/**
 * `{{summary:200}}`: at most `cap` characters, cut after the last whole word (mid-word only when the first word
 * alone is longer) and marked with `…`. A surrogate pair is never split.
 */
export function capWords(text: string, cap: number): string {
  if (text.length <= cap) return text;
  let cut = Math.max(0, cap - ELLIPSIS.length);
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  let head = text.slice(0, cut);
  const space = head.lastIndexOf(' ');
  if (space > 0) head = head.slice(0, space);
  return `${head.trimEnd()}${ELLIPSIS}`;
}
