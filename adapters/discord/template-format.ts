import type { Post } from '../../src/posts/post.js';
import { renderTemplate, type TemplateFormat } from '../../src/templates/render.js';
import { embedUrl, escapeMarkdown, truncate } from './limits.js';

/**
 * Discord's way of writing a template: feed text markdown-escaped (so `<@&id>`, `**`, `# ` stay text), dates
 * as Discord's own timestamp markup shown in each reader's time zone, URLs only when http(s). Nothing here
 * can ping: every message also carries `allowed_mentions`.
 * https://discord.com/developers/docs/reference#message-formatting-timestamp-styles
 */
export const DISCORD_TEMPLATE_FORMAT: TemplateFormat = {
  literal: (text, max) => (text.length <= max ? text : truncate(text, max)),
  text: (value, max) => truncate(escapeMarkdown(value), max),
  url: (value) => embedUrl(value),
  date: (iso) => {
    const ms = Date.parse(iso);
    return Number.isFinite(ms) ? `<t:${Math.floor(ms / 1000)}:D>` : null;
  },
};

/** A subscription's template rendered for Discord within `limit` characters; null without one. */
export function discordTemplateText(template: string | undefined, post: Post, limit: number): string | null {
  return renderTemplate(template, post, DISCORD_TEMPLATE_FORMAT, limit);
}
