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
