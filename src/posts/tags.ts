/**
 * The matching form of a tag: case-, spacing- and hyphen-insensitive (DESIGN §6), so `Board of Directors`,
 * `board-of-directors` and `BOARD_OF_DIRECTORS` are one tag.
 */
export function normaliseTag(tag: string): string {
  return tag
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-‐-―]+/g, ' ')
    .trim();
}

/** Quote marks people put around a tag or a phrase; they are not part of it. */
const QUOTES = `"'“”‘’`;

/**
 * Text without its surrounding quotes (`"PyCon US"`, `“grants”`) and spaces. Linear: the ends are walked, not
 * matched by a pattern ending in `+$`, which backtracks over every run of quotes inside the text.
 */
export function unquote(text: string): string {
  const trimmed = text.trim();
  let start = 0;
  let end = trimmed.length;
  while (start < end && QUOTES.includes(trimmed[start]!)) start += 1;
  while (end > start && QUOTES.includes(trimmed[end - 1]!)) end -= 1;
  return trimmed.slice(start, end).trim();
}

/**
 * Several tags as people write them, in chat or in PSF_SUBSCRIPTIONS: `grants,pycon`, `grants+pycon` or
 * `grants pycon`. With a comma or `+`, only those separate, so a tag of several words needs nothing more
 * (`grants, PyCon US`); with neither, spaces separate and quotes keep a phrase (`"PyCon US" grants`).
 * Returns the tags as written (trimmed, unquoted), blanks dropped. Linear in the text: a phrase ends at the
 * next quote mark of any kind, so an opening quote that is never closed is not rescanned from every later one.
 */
export function splitTags(text: string): string[] {
  if (/[,+]/.test(text)) return text.split(/[,+]/).map(unquote).filter(Boolean);
  const parts = text.match(/["“][^"“”]*["”]|[^\s]+/g) ?? [];
  return parts.map(unquote).filter(Boolean);
}
