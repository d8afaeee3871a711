import type { types } from '@slack/bolt';
import type { Post } from '../../src/posts/post.js';
import type { SubscriptionOptions } from '../../src/subscriptions/subscription.js';
import { postCard } from './card.js';
import { SLACK_LIMITS } from './limits.js';
import { escapeAndFit, slackDate, truncate, webUrl } from './mrkdwn.js';
import { slackTemplateText } from './template-format.js';

/** The arguments of `chat.postMessage` for one announcement, without `channel`. */
export interface SlackMessage {
  text: string;
  blocks: types.KnownBlock[];
  unfurl_links: false;
  unfurl_media: false;
}

const MAX_TAGS_SHOWN = 8;
/** Slack user group ids: https://docs.slack.dev/messaging/formatting-message-text#mentioning-groups */
const USER_GROUP = /^S[A-Z0-9]{2,20}$/;
const MAX_TAG_LENGTH = 60;
const MAX_AUTHOR_LENGTH = 200;

/** Context line: author, date, tags; each its own element (the block takes at most 10). */
function contextElements(post: Post): types.MrkdwnElement[] {
  const parts: string[] = [];
  if (post.author) parts.push(`By ${escapeAndFit(post.author, MAX_AUTHOR_LENGTH)}`);
  const date = slackDate(post.publishedAt);
  if (date) parts.push(date);
  if (post.tags.length > 0) {
    const shown = post.tags.slice(0, MAX_TAGS_SHOWN).map((tag) => escapeAndFit(tag, MAX_TAG_LENGTH));
    const more = post.tags.length - shown.length;
    parts.push(`Tags: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  return parts.slice(0, SLACK_LIMITS.contextElements).map((text) => ({ type: 'mrkdwn', text }));
}

/** The plain `text` fallback (notifications, screen readers): mrkdwn-parsed by Slack, so escaped too. */
function fallbackText(post: Post, url: string | null): string {
  const lines = [post.title.trim() || 'New post', post.summary.trim(), url ?? ''].filter(Boolean);
  return escapeAndFit(lines.join('\n'), SLACK_LIMITS.messageText);
}

/** Options that change a Slack announcement (a subset of the subscription's options). */
export type SlackAnnouncementOptions = Pick<SubscriptionOptions, 'mentionRoleId' | 'template' | 'style'>;

/**
 * Renders one post as `chat.postMessage` arguments in the subscription's style: `blocks` (the default:
 * header, summary section, context with author, date and tags, a "Read the post" button) or `card` (one card
 * block). The user group mention and the template's text come first, in one section. Link unfurls are off
 * (the message already is the preview) and `link_names` is never sent, so nothing in the feed can ping anyone.
 */
export function renderSlackAnnouncement(post: Post, options: SlackAnnouncementOptions = {}): SlackMessage {
  // A URL over the button's 3,000 characters is dropped everywhere, never sent to be refused.
  const web = webUrl(post.url);
  const url = web && web.length <= SLACK_LIMITS.buttonUrl ? web : null;
  // A user group mention is our own token, built only from a validated id: feed text can never make one.
  const group =
    options.mentionRoleId && USER_GROUP.test(options.mentionRoleId)
      ? `<!subteam^${options.mentionRoleId}>`
      : null;
  const template = slackTemplateText(options.template, post, SLACK_LIMITS.sectionText - 40);
  const first = [group, template].filter((part): part is string => part !== null).join(' ');
  const blocks: types.KnownBlock[] = first
    ? [{ type: 'section', text: { type: 'mrkdwn', text: first } }]
    : [];
  blocks.push(...(options.style === 'card' ? [postCard(post)] : postBlocks(post, url)));
  const text = group ? `${group} ${fallbackText(post, url)}` : fallbackText(post, url);
  return { text, blocks, unfurl_links: false, unfurl_media: false };
}

/** The `blocks` style: header, summary, context (author, date, tags) and the button. */
function postBlocks(post: Post, url: string | null): types.KnownBlock[] {
  // Header text is plain_text: Slack does not parse mentions or entities in it, so it is not escaped.
  const blocks: types.KnownBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(post.title.trim() || 'New post', SLACK_LIMITS.headerText),
        emoji: false,
      },
    },
  ];
  const summary = post.summary.trim();
  if (summary) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: escapeAndFit(summary, SLACK_LIMITS.sectionText) },
    });
  }
  const context = contextElements(post);
  if (context.length > 0) blocks.push({ type: 'context', elements: context });
  if (url) {
    blocks.push({
      type: 'actions',
      elements: [
        { type: 'button', action_id: 'read_post', text: { type: 'plain_text', text: 'Read the post' }, url },
      ],
    });
  }
  return blocks;
}
