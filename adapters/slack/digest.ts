import type { types } from '@slack/bolt';
import { digestMoreLine, digestSummaryLine, digestTitle, type Digest } from '../../src/digests/digest.js';
import type { Post } from '../../src/posts/post.js';
import { SLACK_LIMITS } from './limits.js';
import { escapeAndFit, mrkdwnLink, slackDate, webUrl } from './mrkdwn.js';
import type { SlackMessage } from './announcement.js';
import { CARD_LIMITS, postCard } from './card.js';

const MAX_TITLE = 150;
const MAX_TAGS = 4;
const MAX_TAG = 40;
/** Longer URLs are left out, so one section stays far below its 3,000 characters. */
const MAX_URL = 2_000;

/** One post of a digest as mrkdwn: `*<url|Title>*` then `date · tags`, every piece of feed text escaped. */
export function slackDigestLine(post: Post): string {
  const url = webUrl(post.url);
  const title = post.title.trim() || 'Untitled post';
  const link =
    url && url.length <= MAX_URL ? mrkdwnLink(url, title, MAX_TITLE) : escapeAndFit(title, MAX_TITLE);
  const tags = post.tags
    .map((tag) => tag.trim())
    .filter(Boolean)
    .slice(0, MAX_TAGS)
    .map((tag) => escapeAndFit(tag, MAX_TAG));
  const more = post.tags.length > MAX_TAGS ? ` +${post.tags.length - MAX_TAGS}` : '';
  const details = [slackDate(post.publishedAt), tags.length > 0 ? tags.join(', ') + more : null].filter(
    (part): part is string => part !== null,
  );
  return `*${link}*${details.length > 0 ? `\n${details.join(' · ')}` : ''}`;
}

/**
 * A digest as `chat.postMessage` arguments: a header, one section per post (so no section nears its 3,000
 * characters), and a context line with the count and "and N more". At most 10 posts: 13 blocks of 50.
 */
export function renderSlackDigest(
  digest: Digest,
  options: { style?: string | undefined } = {},
): SlackMessage {
  if (options.style === 'card') return renderCardDigest(digest);
  const title = digestTitle(digest);
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: false } },
    ...digest.posts.map((post): types.KnownBlock => ({
      type: 'section',
      text: { type: 'mrkdwn', text: slackDigestLine(post) },
    })),
  ];
  return withSummary(digest, title, blocks);
}

/**
 * A digest in the `card` style: a header, a carousel of up to 10 cards (one per post), and the context line
 * saying how many more posts there were (those past the tenth card included).
 * https://docs.slack.dev/reference/block-kit/blocks/carousel-block
 */
function renderCardDigest(digest: Digest): SlackMessage {
  const title = digestTitle(digest);
  const shown = digest.posts.slice(0, CARD_LIMITS.cards);
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: false } },
  ];
  if (shown.length > 0)
    blocks.push({ type: 'carousel', elements: shown.map((post, index) => postCard(post, index)) });
  const more = digest.more + digest.posts.length - shown.length;
  return withSummary({ ...digest, posts: shown, more }, title, blocks);
}

/** Ends a digest with its context line (count, "and N more") and gives it its plain-text fallback. */
function withSummary(digest: Digest, title: string, blocks: types.KnownBlock[]): SlackMessage {
  const more = digestMoreLine(digest);
  const summary = escapeAndFit(digestSummaryLine(digest), SLACK_LIMITS.textObject);
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: more ? `…${more} · ${summary}` : summary }],
  });
  const text = escapeAndFit(
    [title, ...digest.posts.map((post) => `• ${post.title.trim()}`), more ?? ''].filter(Boolean).join('\n'),
    SLACK_LIMITS.messageText,
  );
  return { text, blocks, unfurl_links: false, unfurl_media: false };
}
