import type { types } from '@slack/bolt';
import type { Post } from '../../src/posts/post.js';
import { SLACK_LIMITS } from './limits.js';
import { escapeAndFit, slackDate, truncate, webUrl } from './mrkdwn.js';

/**
 * Card block limits: title and subtitle at most 150 characters, body 200; an image's `alt_text` 2,000 and its
 * URL 3,000; a carousel holds 1 to 10 cards.
 * https://docs.slack.dev/reference/block-kit/blocks/card-block, …/carousel-block
 */
export const CARD_LIMITS = { title: 150, subtitle: 150, body: 200, altText: 2000, imageUrl: 3000, cards: 10 };

/**
 * One post as a card: its image as the hero, the title, `By author · date` under it, the summary as the body
 * and a "Read the post" button. `index` keeps each button's `action_id` unique in a carousel.
 */
export function postCard(post: Post, index = 0): types.CardBlock {
  const web = webUrl(post.url);
  const url = web && web.length <= SLACK_LIMITS.buttonUrl ? web : null;
  const image = webUrl(post.image);
  const title = post.title.trim() || 'New post';
  const summary = post.summary.trim();
  const subtitle = subtitleOf(post);
  return {
    type: 'card',
    ...(image && image.length <= CARD_LIMITS.imageUrl
      ? { hero_image: { type: 'image', image_url: image, alt_text: truncate(title, CARD_LIMITS.altText) } }
      : {}),
    title: { type: 'mrkdwn', text: escapeAndFit(title, CARD_LIMITS.title) },
    ...(subtitle ? { subtitle: { type: 'mrkdwn', text: subtitle } } : {}),
    ...(summary ? { body: { type: 'mrkdwn', text: escapeAndFit(summary, CARD_LIMITS.body) } } : {}),
    ...(url
      ? {
          actions: [
            {
              type: 'button',
              action_id: index === 0 ? 'read_post' : `read_post_${index}`,
              text: { type: 'plain_text', text: 'Read the post' },
              url,
            },
          ],
        }
      : {}),
  };
}

/** `By Jane Doe · <!date^…>` within the subtitle's 150 characters; the date token is never cut. */
function subtitleOf(post: Post): string | null {
  const date = slackDate(post.publishedAt);
  const room = CARD_LIMITS.subtitle - (date ? date.length + 3 : 0);
  const author = post.author?.trim() ? `By ${escapeAndFit(post.author.trim(), room - 3)}` : null;
  const parts = [author, date].filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join(' · ') : null;
}
