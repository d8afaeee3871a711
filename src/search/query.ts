import { processTerm } from './terms.js';

/** A search as typed, split into its words and its modifiers (`sort:new`, a year such as `2019`). */
export interface SearchQuery {
  /** The words to match, modifiers removed, as typed. */
  text: string;
  /** The words as index terms (lower case, accents folded, stop words dropped). */
  terms: string[];
  /** `sort:new`: every match newest first, relevance ignored. */
  newestFirst: boolean;
  /** A year named in the query: only posts published that year, or with the year in their title. */
  year: number | null;
}

/** The years a query may name: the PSF blog starts in 2005; later years are allowed for the future. */
const YEAR = /^(?:19[89]\d|20\d\d)$/;
/** How a search (and an index title) is cut into words: MiniSearch's own tokenizer rule. */
const WORD_BREAK = /[\n\r\p{Z}\p{P}]+/u;

/** The index terms of some text, in order. */
export function termsOf(text: string): string[] {
  const terms: string[] = [];
  for (const word of text.split(WORD_BREAK)) {
    const term = processTerm(word);
    if (term !== null) terms.push(term);
  }
  return terms;
}

/** Reads `sort:new` and at most one year out of a query; the rest are the words to match. */
export function parseSearchQuery(query: string): SearchQuery {
  const words: string[] = [];
  let newestFirst = false;
  let year: number | null = null;
  for (const word of query.trim().split(/\s+/)) {
    if (/^sort:new(?:est)?$/i.test(word)) newestFirst = true;
    else if (year === null && YEAR.test(word)) year = Number(word);
    else if (word !== '') words.push(word);
  }
  const text = words.join(' ');
  return { text, terms: termsOf(text), newestFirst, year };
}
