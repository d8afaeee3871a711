import type { Post } from '../../src/posts/post.js';
import { renderTemplate, type TemplateFormat } from '../../src/templates/render.js';
import { escapeAndFit, escapeMrkdwn, slackDate, webUrl } from './mrkdwn.js';

/**
 * Slack's way of writing a template. Feed text and the manager's own text are both escaped (`&`, `<`, `>`), so
 * neither can write `<!channel>`, `<!here>` or `<@U…>`; the one control sequence left is the bot's own
 * `<!date^…>` for `{{date}}`. https://docs.slack.dev/messaging/formatting-message-text/#escaping
 */
export const SLACK_TEMPLATE_FORMAT: TemplateFormat = {
  literal: (text, max) => escapeAndFit(text, max),
  text: (value, max) => escapeAndFit(value, max),
  url: (value) => {
    const url = webUrl(value);
    return url ? escapeMrkdwn(url) : null;
  },
  date: (iso) => slackDate(iso),
};

/** A subscription's template rendered as mrkdwn within `limit` characters; null without one. */
export function slackTemplateText(template: string | undefined, post: Post, limit: number): string | null {
  return renderTemplate(template, post, SLACK_TEMPLATE_FORMAT, limit);
}
