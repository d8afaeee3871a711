import type { APIEmbed } from 'discord.js';
import type { Post } from '../../src/posts/post.js';
import { EMBED_LIMITS, embedUrl, escapeMarkdown, truncate } from './limits.js';

/** Python blue, so announcements are recognisable at a glance. */
export const EMBED_COLOR = 0x3776ab;

/** How much of a post an embed shows: the whole announcement, or a compact line in a lookup answer. */
export interface PostEmbedOptions {
  /** Cap for the description before the 6000-character total is enforced. */
  descriptionLimit?: number;
  /** Show tags as a field (announcements) or in the footer (compact lookups). */
  tagsAs?: 'field' | 'footer';
}

/** One embed for one post: title linked, summary, author, timestamp, tags, thumbnail; every limit respected. */
export function postEmbed(post: Post, options: PostEmbedOptions = {}): APIEmbed {
  const url = embedUrl(post.url);
  const image = embedUrl(post.image);
  const timestamp = validTimestamp(post.publishedAt ?? post.updatedAt);
  const summary = escapeMarkdown(post.summary.trim());
  const tags = post.tags.map((tag) => tag.trim()).filter(Boolean);
  const tagsAs = options.tagsAs ?? 'field';
  const footer = tagsAs === 'footer' && tags.length > 0 ? `${post.feed} · ${tags.join(', ')}` : post.feed;
  return {
    title: truncate(escapeMarkdown(post.title.trim()) || 'Untitled post', EMBED_LIMITS.title),
    color: EMBED_COLOR,
    ...(url ? { url } : {}),
    ...(summary
      ? { description: truncate(summary, options.descriptionLimit ?? EMBED_LIMITS.description) }
      : {}),
    ...(post.author?.trim() ? { author: { name: truncate(post.author, EMBED_LIMITS.author) } } : {}),
    ...(timestamp ? { timestamp } : {}),
    ...(tagsAs === 'field' && tags.length > 0
      ? { fields: [{ name: 'Tags', value: tagList(tags, EMBED_LIMITS.fieldValue), inline: true }] }
      : {}),
    ...(footer.trim() ? { footer: { text: truncate(footer, EMBED_LIMITS.footer) } } : {}),
    ...(image ? { thumbnail: { url: image } } : {}),
  };
}

/** Characters an embed counts towards the per-message total (title, description, fields, footer, author). */
export function embedLength(embed: APIEmbed): number {
  const parts = [
    embed.title,
    embed.description,
    embed.footer?.text,
    embed.author?.name,
    ...(embed.fields ?? []).flatMap((field) => [field.name, field.value]),
  ];
  return parts.reduce((sum, part) => sum + (part?.trim().length ?? 0), 0);
}

/**
 * Keeps the sum over all embeds within 6000 characters by shortening descriptions, longest first, then
 * dropping trailing embeds if titles alone are too long. The limit is per message:
 * https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 */
export function fitEmbeds(embeds: APIEmbed[], total: number = EMBED_LIMITS.total): APIEmbed[] {
  const fitted = embeds.slice(0, EMBED_LIMITS.embeds).map((embed) => ({ ...embed }));
  let excess = fitted.reduce((sum, embed) => sum + embedLength(embed), 0) - total;
  while (excess > 0) {
    const longest = fitted.reduce<APIEmbed | undefined>(
      (best, embed) => ((embed.description?.length ?? 0) > (best?.description?.length ?? 0) ? embed : best),
      undefined,
    );
    const current = longest?.description?.length ?? 0;
    if (!longest || current <= 80) break;
    const next = truncate(longest.description ?? '', Math.max(80, current - excess));
    excess -= current - next.length;
    longest.description = next;
    if (next.length >= current) break;
  }
  while (excess > 0 && fitted.length > 1) excess -= embedLength(fitted.pop()!);
  return fitted;
}

function tagList(tags: string[], limit: number): string {
  const shown: string[] = [];
  for (const [index, tag] of tags.entries()) {
    const rest = tags.length - index - 1;
    const candidate = [...shown, escapeMarkdown(tag)].join(', ');
    const suffix = rest > 0 ? ` +${rest} more` : '';
    if (candidate.length + suffix.length > limit) {
      return shown.length > 0
        ? `${shown.join(', ')} +${tags.length - index} more`
        : truncate(escapeMarkdown(tag), limit);
    }
    shown.push(escapeMarkdown(tag));
  }
  return shown.join(', ');
}

function validTimestamp(value: string | null): string | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}
