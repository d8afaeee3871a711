import type { RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import { digestMoreLine, digestSummaryLine, digestTitle, type Digest } from '../../src/digests/digest.js';
import type { Post } from '../../src/posts/post.js';
import { EMBED_COLOR } from './embeds.js';
import { EMBED_LIMITS, embedUrl, escapeMarkdown, noMentions, truncate } from './limits.js';

const MAX_TITLE = 150;
const MAX_TAGS = 4;
const MAX_TAG = 40;
/** A masked link's URL this long or longer is left out: the line would crowd out the others. */
const MAX_URL = 400;

/**
 * One digest line: `• [Title](url) · 30 Nov 2026 · grants, board`. The title is markdown-escaped (so `]`
 * cannot end the link text), and `(`/`)` in the URL are percent-encoded (so `)` cannot end the link).
 */
export function discordDigestLine(post: Post): string {
  const title = truncate(escapeMarkdown(post.title.trim()) || 'Untitled post', MAX_TITLE);
  const url = embedUrl(post.url);
  const link =
    url && url.length < MAX_URL ? `[${title}](${url.replace(/\(/g, '%28').replace(/\)/g, '%29')})` : title;
  const date = post.publishedAt ? shortDate(post.publishedAt) : null;
  const tags = post.tags
    .map((tag) => tag.trim())
    .filter(Boolean)
    .slice(0, MAX_TAGS)
    .map((tag) => escapeMarkdown(truncate(tag, MAX_TAG)));
  const more = post.tags.length > MAX_TAGS ? ` +${post.tags.length - MAX_TAGS}` : '';
  return ['• ' + link, date, tags.length > 0 ? tags.join(', ') + more : null]
    .filter((part): part is string => part !== null)
    .join(' · ');
}

/**
 * The body of `POST /channels/{id}/messages` for a digest: one embed whose description lists the posts,
 * each line whole; the lines that do not fit Discord's 4,096-character description join the "and N more".
 */
export function renderDiscordDigest(digest: Digest): RESTPostAPIChannelMessageJSONBody & {
  allowed_mentions: { parse: [] };
} {
  const budget = EMBED_LIMITS.description - 40;
  const lines: string[] = [];
  let used = 0;
  for (const post of digest.posts) {
    const line = discordDigestLine(post);
    if (used + line.length + 1 > budget) break;
    lines.push(line);
    used += line.length + 1;
  }
  const more = digestMoreLine({ ...digest, more: digest.more + digest.posts.length - lines.length });
  if (more) lines.push(`…${more}`);
  return {
    embeds: [
      {
        title: digestTitle(digest),
        color: EMBED_COLOR,
        description: lines.join('\n'),
        footer: { text: digestSummaryLine(digest) },
        timestamp: new Date(digest.periodEnd).toISOString(),
      },
    ],
    allowed_mentions: noMentions(),
  };
}

function shortDate(iso: string): string | null {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return null;
  return new Date(ms).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}
