import type { types } from '@slack/bolt';
import type { Reply } from '../../src/commands/types.js';
import type { Post } from '../../src/posts/post.js';
import { SLACK_LIMITS } from './limits.js';
import { escapeAndFit, mrkdwnLink, slackDate, webUrl } from './mrkdwn.js';

/**
 * The JSON body POSTed to a slash command's `response_url`.
 * https://docs.slack.dev/interactivity/handling-user-interaction/#message_responses
 */
export interface SlackReplyBody {
  response_type: 'ephemeral' | 'in_channel';
  /** Always false: a lookup adds a message, it never overwrites the one the command came from. */
  replace_original: false;
  text: string;
  blocks?: types.KnownBlock[];
}

const SUMMARY_IN_LIST = 200;
const TITLE_IN_LIST = 200;

/** One post in a lookup answer: linked title and a short summary, then date, author and tags. */
function postBlocks(post: Post): types.KnownBlock[] {
  const url = webUrl(post.url);
  const title = url ? mrkdwnLink(url, post.title, TITLE_IN_LIST) : escapeAndFit(post.title, TITLE_IN_LIST);
  const summary = post.summary.trim() ? `\n${escapeAndFit(post.summary.trim(), SUMMARY_IN_LIST)}` : '';
  const meta = [
    slackDate(post.publishedAt),
    post.author ? escapeAndFit(post.author, 100) : null,
    post.tags.length > 0 ? escapeAndFit(post.tags.slice(0, 8).join(', '), 300) : null,
  ].filter((part): part is string => part !== null);
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${title}*${summary}` } },
  ];
  if (meta.length > 0)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: meta.join(' · ') }] });
  return blocks;
}

/** A posts answer: heading, up to 10 posts (21 blocks at most, under the 50 per message), suggestions. */
function renderPosts(reply: Extract<Reply, { kind: 'posts' }>): { text: string; blocks: types.KnownBlock[] } {
  const heading = escapeAndFit(reply.heading, SLACK_LIMITS.sectionText - 4);
  const blocks: types.KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${heading}*` } }];
  for (const post of reply.posts.slice(0, 10)) blocks.push(...postBlocks(post));
  if (reply.suggestions && reply.suggestions.length > 0) {
    const tags = escapeAndFit(reply.suggestions.slice(0, 10).join(', '), 1000);
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Closest tags: ${tags}` }] });
  }
  const lines = [
    reply.heading,
    ...reply.posts.map((post) => `• ${post.title}${post.url ? ` ${post.url}` : ''}`),
  ];
  return { text: escapeAndFit(lines.join('\n'), SLACK_LIMITS.messageText), blocks };
}

/**
 * Escaping turned the core's `<#C123>` into text; only the channels the reply names (Slack ids: capitals and
 * digits) become links again, so nothing else in the text can turn into markup.
 * https://docs.slack.dev/messaging/formatting-message-text/#linking-channels
 */
function withChannelLinks(text: string, channels: readonly string[] | undefined): string {
  const ids = new Set((channels ?? []).filter((id) => /^[A-Z0-9]{2,30}$/.test(id)));
  if (ids.size === 0) return text;
  return text.replace(/&lt;#([A-Z0-9]{2,30})&gt;/g, (whole, id: string) =>
    ids.has(id) ? `<#${id}>` : whole,
  );
}

/** Renders a neutral reply as the `response_url` body; private unless shared, errors always private. */
export function renderSlackReply(reply: Reply, options: { share: boolean }): SlackReplyBody {
  const responseType = options.share && reply.kind !== 'error' ? 'in_channel' : 'ephemeral';
  const base = { response_type: responseType, replace_original: false } as const;
  switch (reply.kind) {
    case 'posts':
      return { ...base, ...renderPosts(reply) };
    case 'text':
      return {
        ...base,
        text: withChannelLinks(escapeAndFit(reply.text, SLACK_LIMITS.messageText), reply.channels),
      };
    case 'error':
      return { ...base, text: `:warning: ${escapeAndFit(reply.message, SLACK_LIMITS.messageText - 10)}` };
  }
}
