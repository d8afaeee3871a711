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
/**
 * Longest link we put in a lookup answer. A post's section holds the title (200), summary (200) and the link
 * within Slack's 3,000 characters; a URL that does not fit is dropped (the title shows unlinked), because one
 * over-long URL would otherwise make Slack refuse every answer that lists the post.
 */
const URL_IN_LIST = 2000;

/** The URL when it fits a lookup answer (and the room left in the message), else null. */
function listUrl(post: Post, room: number): string | null {
  const url = webUrl(post.url);
  // Counted as sent: `&` goes out as `&amp;` inside a mrkdwn link.
  const sentLength = url ? url.length + 4 * (url.split('&').length - 1) : 0;
  return url && sentLength <= Math.min(URL_IN_LIST, room) ? url : null;
}

/** One post in a lookup answer: linked title (when the URL fits `room`) and a short summary, then date, author and tags. */
function postBlocks(post: Post, room: number = URL_IN_LIST): types.KnownBlock[] {
  const url = listUrl(post, room);
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
  // Links share the message's block budget: what the posts need without links is set aside first, and a
  // post whose link would overflow what is left is listed without it.
  const posts = reply.posts.slice(0, 10);
  const unlinked = posts.map((post) => textLength(postBlocks(post, 0)));
  let room = SLACK_LIMITS.blocksTotalBudget - heading.length - unlinked.reduce((sum, n) => sum + n, 0);
  for (const [i, post] of posts.entries()) {
    const rendered = postBlocks(post, room);
    room -= textLength(rendered) - (unlinked[i] ?? 0);
    blocks.push(...rendered);
  }
  if (reply.suggestions && reply.suggestions.length > 0) {
    const tags = escapeAndFit(reply.suggestions.slice(0, 10).join(', '), 1000);
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Closest tags: ${tags}` }] });
  }
  const lines = [
    reply.heading,
    ...reply.posts.map((post) => {
      const url = listUrl(post, URL_IN_LIST);
      return `• ${post.title}${url ? ` ${url}` : ''}`;
    }),
  ];
  return { text: escapeAndFit(lines.join('\n'), SLACK_LIMITS.messageText), blocks };
}

/** Characters of text in blocks (section text and context elements), as Slack's block budget counts them. */
function textLength(blocks: types.KnownBlock[]): number {
  let total = 0;
  for (const block of blocks) {
    if (block.type === 'section') total += block.text?.text.length ?? 0;
    if (block.type === 'context')
      for (const element of block.elements) total += 'text' in element ? element.text.length : 0;
  }
  return total;
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
