import { describe, expect, it } from 'vitest';
import { renderSlackAnnouncement } from '../../../adapters/slack/announcement.js';
import { renderSlackDigest } from '../../../adapters/slack/digest.js';
import type { Digest } from '../../../src/digests/digest.js';
import { blockKitProblems, strayControlSequences } from '../../fakes/slack/block-kit.js';
import { samplePost } from '../../fakes/discord/posts.js';
import { makePost } from '../../helpers/delivery-fixtures.js';
import { EVERY_PLACEHOLDER, HOSTILE_TEXT, hostilePost, megabytePost } from '../../helpers/hostile-posts.js';

type Block = { type: string } & Record<string, unknown>;

function digestOf(count: number, more: number): Digest {
  return {
    cadence: 'daily',
    periodEnd: '2026-02-11T15:00:00.000Z',
    posts: Array.from({ length: count }, (_, i) =>
      makePost(i + 1, { image: `https://img.example/${i}.png` }),
    ),
    more,
  } as Digest;
}

describe('Slack announcement styles and templates', () => {
  it('keeps the blocks style by default and puts the template text in the first section', () => {
    expect(renderSlackAnnouncement(samplePost(), {})).toEqual(renderSlackAnnouncement(samplePost()));
    const message = renderSlackAnnouncement(samplePost(), {
      template: '*{{feed}}*: {{title}} by {{author||feed}}',
    });
    expect(message.blocks.map((block) => block.type)).toEqual([
      'section',
      'header',
      'section',
      'context',
      'actions',
    ]);
    expect(message.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*psf*: PSF Grants Program 2026 Update by Laura Graves' },
    });
    const dated = renderSlackAnnouncement(samplePost(), {
      template: 'Posted {{date}}',
      mentionRoleId: 'S0123ABC',
    });
    expect(dated.blocks[0]).toMatchObject({
      text: { text: '<!subteam^S0123ABC> Posted <!date^1770744600^{date_short_pretty}|2026-02-10>' },
    });
    expect(blockKitProblems(message)).toEqual([]);
  });

  it('renders the card style: hero image, title, byline, body of at most 200 characters, a Read action', () => {
    const message = renderSlackAnnouncement(samplePost({ summary: 'word '.repeat(100) }), { style: 'card' });
    expect(message.blocks).toHaveLength(1);
    const [card] = message.blocks as Block[];
    expect(card).toMatchObject({
      type: 'card',
      hero_image: {
        type: 'image',
        image_url: 'https://blogger.googleusercontent.com/img/b/grants.png',
        alt_text: 'PSF Grants Program 2026 Update',
      },
      title: { type: 'mrkdwn', text: 'PSF Grants Program 2026 Update' },
      subtitle: {
        type: 'mrkdwn',
        text: 'By Laura Graves · <!date^1770744600^{date_short_pretty}|2026-02-10>',
      },
      actions: [
        {
          type: 'button',
          action_id: 'read_post',
          text: { type: 'plain_text', text: 'Read the post' },
          url: 'https://pyfound.blogspot.com/2026/02/grants-update.html',
        },
      ],
    });
    expect((card!.body as { text: string }).text.length).toBeLessThanOrEqual(200);
    expect((card!.body as { text: string }).text.endsWith('…')).toBe(true);
    expect(blockKitProblems(message)).toEqual([]);
  });

  for (const style of ['blocks', 'card'] as const) {
    it(`escapes hostile feed text and the manager's own <!channel> in every placeholder (${style})`, () => {
      const template = `<!channel> <!here> ${EVERY_PLACEHOLDER}`;
      const message = renderSlackAnnouncement(hostilePost(), { style, template });
      expect(strayControlSequences(message)).toEqual([]);
      expect(blockKitProblems(message)).toEqual([]);
      expect(JSON.stringify(message)).toContain('&lt;!channel&gt;');
      expect(message).not.toHaveProperty('link_names');
    });

    it(`keeps a 1 MB title within every Block Kit limit (${style})`, () => {
      const message = renderSlackAnnouncement(megabytePost(), {
        style,
        template: `${EVERY_PLACEHOLDER}{{title}}{{summary}}`,
      });
      expect(blockKitProblems(message)).toEqual([]);
      expect(strayControlSequences(message)).toEqual([]);
    });
  }

  it('sends a card digest as a carousel of 10 cards and says how many more there are', () => {
    const message = renderSlackDigest(digestOf(10, 7), { style: 'card' });
    expect(message.blocks.map((block) => block.type)).toEqual(['header', 'carousel', 'context']);
    const carousel = message.blocks[1] as Block & { elements: Block[] };
    expect(carousel.elements).toHaveLength(10);
    expect(carousel.elements.every((card) => card.type === 'card')).toBe(true);
    const actionIds = carousel.elements.map(
      (card) => (card.actions as { action_id: string }[])[0]!.action_id,
    );
    expect(new Set(actionIds).size).toBe(10);
    expect(JSON.stringify(message.blocks[2])).toContain('and 7 more');
    expect(JSON.stringify(message.blocks[2])).toContain('17');
    expect(blockKitProblems(message)).toEqual([]);
    // More posts than cards: the rest join the count.
    const over = renderSlackDigest(digestOf(12, 0), { style: 'card' });
    expect((over.blocks[1] as Block & { elements: Block[] }).elements).toHaveLength(10);
    expect(JSON.stringify(over.blocks[2])).toContain('and 2 more');
    expect(blockKitProblems(over)).toEqual([]);
    // The blocks style is unchanged: one section per post.
    expect(renderSlackDigest(digestOf(3, 0)).blocks.map((block) => block.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'context',
    ]);
  });

  it('keeps hostile posts inert in a card digest', () => {
    const digest = { ...digestOf(0, 0), posts: [hostilePost(), megabytePost()] };
    const message = renderSlackDigest(digest, { style: 'card' });
    expect(blockKitProblems(message)).toEqual([]);
    expect(strayControlSequences(message)).toEqual([]);
    expect(message.text).not.toContain(HOSTILE_TEXT.slice(0, 30));
  });
});
