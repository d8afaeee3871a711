import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  SeparatorSpacingSize,
  type APIComponentInContainer,
  type APIMessageTopLevelComponent,
  type APITextDisplayComponent,
} from 'discord.js';
import type { Post } from '../../src/posts/post.js';
import { EMBED_COLOR } from './embeds.js';
import { embedUrl, escapeMarkdown, truncate } from './limits.js';
import { DISCORD_TEMPLATE_FORMAT, discordTemplateText } from './template-format.js';

/**
 * Components V2 limits: at most 40 components and 4,000 characters of text in one message; a link button's URL
 * at most 512 characters and its label 80. https://discord.com/developers/docs/components/reference
 */
export const COMPONENTS_LIMITS = { components: 40, text: 4000, buttonUrl: 512, buttonLabel: 80 } as const;

/** Once set, the flag cannot be removed, and `content`, `embeds`, polls and stickers are refused. */
export const IS_COMPONENTS_V2 = MessageFlags.IsComponentsV2;

/** Text budgets within the 4,000: the rest of the message never crowds out the summary entirely. */
const BUDGET = { template: 1500, title: 256, meta: 400 } as const;
const MAX_TAGS = 8;

/** What a Components V2 announcement carries beside the post. */
export interface ComponentsLook {
  template?: string | undefined;
  /** A validated role id, mentioned (and allowed to ping) in the first text. */
  role: string | null;
}

/**
 * One post as Components V2: a Container in Python blue holding the template's text, the title as a heading,
 * the summary (beside the post's image as a Thumbnail), date, tags and feed as subtext, and a link button
 * "Read on <site>". `content` stays empty: the flag forbids it.
 * https://discord.com/developers/docs/components/reference#container
 */
export function renderComponents(post: Post, look: ComponentsLook): APIMessageTopLevelComponent[] {
  const inner: APIComponentInContainer[] = [];
  const template = discordTemplateText(look.template, post, BUDGET.template);
  if (template) inner.push(text(template));
  const heading = headingOf(post);
  const meta = metaLine(post);
  const used = (look.role?.length ?? 0) + 5 + (template?.length ?? 0) + heading.length + (meta?.length ?? 0);
  const summary = truncate(escapeMarkdown(post.summary.trim()), COMPONENTS_LIMITS.text - used - 10);
  const body = [text(heading), ...(summary ? [text(summary)] : [])];
  const image = embedUrl(post.image);
  // A Section needs an accessory: with no image the texts stand in the Container on their own.
  if (image)
    inner.push({
      type: ComponentType.Section,
      components: body,
      accessory: { type: ComponentType.Thumbnail, media: { url: image } },
    });
  else inner.push(...body);
  if (meta) inner.push(text(meta));
  const button = readButton(post.url);
  if (button) {
    inner.push({ type: ComponentType.Separator, divider: true, spacing: SeparatorSpacingSize.Small });
    inner.push({ type: ComponentType.ActionRow, components: [button] });
  }
  const container: APIMessageTopLevelComponent = {
    type: ComponentType.Container,
    accent_color: EMBED_COLOR,
    components: inner,
  };
  return look.role ? [text(`<@&${look.role}>`), container] : [container];
}

/** The heading a Components V2 announcement gives the post's title. */
function headingOf(post: Post): string {
  return `## ${truncate(escapeMarkdown(post.title.trim()) || 'Untitled post', BUDGET.title)}`;
}

/**
 * Whether a message's components announce this post, as `renderComponents` builds them: a link button to the
 * post, or its title as the heading (a post without a URL, or one too long for a button).
 */
export function componentsAnnounce(components: readonly unknown[], post: Post): boolean {
  const heading = headingOf(post);
  const url = embedUrl(post.url);
  const stack = [...components] as Record<string, unknown>[];
  while (stack.length > 0) {
    const component = stack.pop()!;
    if (component.type === ComponentType.Button && url !== null && component.url === url) return true;
    // The heading is only a title: another post may share it, so it identifies only a post without a URL.
    if (url === null && component.type === ComponentType.TextDisplay && component.content === heading)
      return true;
    if (Array.isArray(component.components))
      stack.push(...(component.components as Record<string, unknown>[]));
  }
  return false;
}

function text(content: string): APITextDisplayComponent {
  return { type: ComponentType.TextDisplay, content };
}

/** `-# <t:…:D> · grants, pycon · psf` (Discord's subtext), or null when the post has none of them. */
function metaLine(post: Post): string | null {
  const iso = post.publishedAt ?? post.updatedAt;
  const date = iso ? DISCORD_TEMPLATE_FORMAT.date(iso) : null;
  const tags = post.tags
    .map((tag) => tag.trim())
    .filter(Boolean)
    .slice(0, MAX_TAGS)
    .map((tag) => escapeMarkdown(truncate(tag, 40)));
  const more = post.tags.length > MAX_TAGS ? ` +${post.tags.length - MAX_TAGS}` : '';
  const feed = post.feed.trim() ? escapeMarkdown(truncate(post.feed, 60)) : null;
  const parts = [date, tags.length > 0 ? `${tags.join(', ')}${more}` : null, feed].filter(
    (part): part is string => part !== null,
  );
  return parts.length > 0 ? truncate(`-# ${parts.join(' · ')}`, BUDGET.meta) : null;
}

/** A link button "Read on pyfound.blogspot.com"; none when the URL is not http(s) or over 512 characters. */
function readButton(value: string | null) {
  const url = embedUrl(value);
  if (!url || url.length > COMPONENTS_LIMITS.buttonUrl) return null;
  const label = truncate(`Read on ${new URL(url).hostname}`, COMPONENTS_LIMITS.buttonLabel);
  return { type: ComponentType.Button as const, style: ButtonStyle.Link as const, label, url };
}
