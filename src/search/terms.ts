/** Words too common to help ranking; dropping them keeps "the psf board" about the PSF board. */
const STOP_WORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were will with'.split(
    ' ',
  ),
);

/** Index and query terms: lower case, accents folded (so "cafe" finds "Café"), stop words dropped. */
export function processTerm(term: string): string | null {
  const folded = term
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  return folded === '' || STOP_WORDS.has(folded) ? null : folded;
}
