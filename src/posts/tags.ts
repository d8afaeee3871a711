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

/**
 * Several tags as people write them, in chat or in PSF_SUBSCRIPTIONS: `grants,pycon`, `grants+pycon` or
 * `grants pycon`. With a comma or `+`, only those separate, so a tag of several words needs nothing more
 * (`grants, PyCon US`); with neither, spaces separate and quotes keep a phrase (`"PyCon US" grants`).
 * Returns the tags as written (trimmed, unquoted), blanks dropped. Linear in the text.
 */
export function splitTags(text: string): string[] {
  const unquote = (part: string) =>
    part
      .trim()
      .replace(/^["'“”‘’]+|["'“”‘’]+$/g, '')
      .trim();
  if (/[,+]/.test(text)) return text.split(/[,+]/).map(unquote).filter(Boolean);
  const parts = text.match(/["“][^"”]*["”]|[^\s]+/g) ?? [];
  return parts.map(unquote).filter(Boolean);
}
