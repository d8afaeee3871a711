import { normaliseTag } from '../posts/tags.js';
import { plural, type CommandDeps } from './command-deps.js';
import { MAX_COUNT, type Reply } from './types.js';

/** Tags listed by `tags`; the rest are counted, not shown, to keep the answer one readable message. */
export const TAGS_SHOWN = 30;
const SUGGESTIONS = 5;
const SEARCH_LIMIT = 5;

/** `latest [count] [feed]`: the newest posts, of one feed when named. */
export async function latest(deps: CommandDeps, count: number, feed?: string): Promise<Reply> {
  if (feed !== undefined && !deps.feeds.some((item) => item.name === feed)) {
    // `latest abc` most often means a mistyped count, so say both what a count is and which feeds exist.
    const known = deps.feeds.map((item) => item.name).join(', ') || 'none yet';
    return {
      kind: 'error',
      message: `“${feed}” is not a count or a known feed: a count is a whole number from 1 to ${MAX_COUNT} (\`latest 3\`); known feeds: ${known}.`,
    };
  }
  const posts = await deps.posts.latest(count, feed);
  const source = feed ?? (deps.feeds.length === 1 ? deps.feeds[0]?.name : undefined);
  const from = source === undefined ? '' : ` from ${source}`;
  if (posts.length === 0) return { kind: 'text', text: `No posts${from} yet: the feed has not been read.` };
  const what = posts.length === 1 ? 'Latest post' : `Latest ${posts.length} posts`;
  return { kind: 'posts', heading: `${what}${from}`, posts };
}

/** `tag <tag> [count]`: the newest posts with the tag; when none, the closest tags in use. */
export async function byTag(deps: CommandDeps, tag: string, count: number): Promise<Reply> {
  const posts = await deps.posts.byTag(tag, count);
  if (posts.length === 0) {
    const suggestions = deps.index.suggestTags(tag, SUGGESTIONS);
    const hint = suggestions.length > 0 ? '' : ' Send `tags` to see the tags in use.';
    return { kind: 'posts', heading: `No posts tagged “${tag}”.${hint}`, posts: [], suggestions };
  }
  const label = deps.index.labelOf(tag) ?? spellingIn(posts[0]?.tags ?? [], tag) ?? tag;
  return { kind: 'posts', heading: `Posts tagged “${label}”`, posts };
}

/** `tags`: the tags in use, most used first, with counts. */
export async function tags(deps: CommandDeps): Promise<Reply> {
  const all = await deps.posts.tags();
  if (all.length === 0) return { kind: 'text', text: 'No post carries a tag yet.' };
  const shown = all.slice(0, TAGS_SHOWN).map((tag) => `${tag.label} (${tag.count})`);
  const more = all.length > TAGS_SHOWN ? `, and ${all.length - TAGS_SHOWN} more` : '';
  return {
    kind: 'text',
    text: `${plural(all.length, 'tag')} in use, most used first: ${shown.join(', ')}${more}. Send \`tag <name>\` to see the posts.`,
  };
}

/** `search <query>`: up to 5 posts by relevance over title, tags and summary. */
export async function search(deps: CommandDeps, query: string): Promise<Reply> {
  const posts = deps.index.search(query, SEARCH_LIMIT);
  if (posts.length === 0) {
    return {
      kind: 'text',
      text: `Nothing found for “${query}”. Try other words, or \`tags\` to browse by tag.`,
    };
  }
  return { kind: 'posts', heading: `Best matches for “${query}”`, posts };
}

function spellingIn(labels: string[], tag: string): string | undefined {
  const wanted = normaliseTag(tag);
  return labels.find((label) => normaliseTag(label) === wanted);
}
