import type { FeedConfig } from '../config.js';
import { normaliseTag } from '../posts/tags.js';
import { unknownFeedMessage } from './command-deps.js';
import { ALL_TAGS } from './command-schema.js';
import type { SubscribeChanges } from './types.js';

/**
 * What a `subscribe` names: the feeds (undefined: none named; `[]`: every feed) and the tag filter (undefined:
 * not given). A word naming a feed is a feed, `all` is every feed, `tag:x` is the tag x, `*` clears the tags;
 * or the message refusing an unknown feed given as Discord's `feed` option.
 */
export function namedFeedsAndTags(
  known: readonly FeedConfig[],
  feed: string | undefined,
  changes: SubscribeChanges,
): { feeds?: string[]; tags?: string[]; excludedTags: string[] } | string {
  const feedNamed = (word: string) => known.find((item) => normaliseTag(item.name) === word)?.name;
  if (feed !== undefined && feed !== ALL_FEEDS && !known.some((item) => item.name === feed))
    return unknownFeedMessage(feed, [...known]);
  let all = feed === ALL_FEEDS;
  const feeds = feed !== undefined && feed !== ALL_FEEDS ? [feed] : [];
  const tags: string[] = [];
  for (const term of leadingFeedWords(changes.tags ?? [], feedNamed)) {
    const name = feedNamed(term);
    if (term === ALL_FEEDS) all = true;
    else if (term.startsWith(TAG_PREFIX)) tags.push(normaliseTag(term.slice(TAG_PREFIX.length)));
    else if (name !== undefined) feeds.push(name);
    else if (term !== ALL_TAGS) tags.push(term);
  }
  const excludedTags = (changes.excludedTags ?? []).map((word) =>
    word.startsWith(TAG_PREFIX) ? normaliseTag(word.slice(TAG_PREFIX.length)) : word,
  );
  // Only feed words: the tag filter was not named and stays; `*` or real tags (or none at all) set it.
  const onlyFeeds =
    changes.tags !== undefined &&
    changes.tags.length > 0 &&
    tags.length === 0 &&
    excludedTags.length === 0 &&
    !changes.tags.includes(ALL_TAGS);
  return {
    ...(all ? { feeds: [] } : feeds.length > 0 ? { feeds: [...new Set(feeds)] } : {}),
    ...(changes.tags === undefined || onlyFeeds ? {} : { tags: tags.filter(Boolean) }),
    excludedTags: excludedTags.filter(Boolean),
  };
}

/**
 * A comma-separated list keeps words together (`psf board of directors, grants`): feed words at the start of
 * its first entry stand on their own (`psf`, then the tag `board of directors`), as the feed came first before.
 */
function leadingFeedWords(
  terms: readonly string[],
  feedNamed: (word: string) => string | undefined,
): string[] {
  const [first, ...rest] = terms;
  if (first === undefined || !first.includes(' ')) return [...terms];
  const words = first.split(' ');
  let at = 0;
  while (at < words.length - 1 && (words[at] === ALL_FEEDS || feedNamed(words[at]!) !== undefined)) at += 1;
  return [...words.slice(0, at), words.slice(at).join(' '), ...rest];
}

/** `all` names every feed, in text and as Discord's `feed` option. */
const ALL_FEEDS = 'all';
/** `tag:pypi` is the tag pypi, even where a feed is called pypi. */
const TAG_PREFIX = 'tag:';
