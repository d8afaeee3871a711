import { describe, expect, it } from 'vitest';
import { renderSlackAnnouncement } from '../../../adapters/slack/announcement.js';
import { parseFeed } from '../../../src/feeds/parse.js';
import type { Post } from '../../../src/posts/post.js';
import { blockKitProblems, mrkdwnTexts, strayControlSequences } from '../../fakes/slack/block-kit.js';
import { ARCHIVE_STARTS, ARCHIVE_TOTAL, archivePage, readFixture } from '../../helpers/fixtures.js';
import { makePost } from '../../helpers/delivery-fixtures.js';

const PINGS = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@U123>',
  '<#C999>',
  '<!subteam^S1>',
  '<https://evil.test|click>',
];

describe('renderSlackAnnouncement', () => {
  it('keeps every post of the 733-post archive within Block Kit limits', async () => {
    const posts: Post[] = [];
    for (const start of ARCHIVE_STARTS)
      posts.push(...(await parseFeed(readFixture(archivePage(start)), 'psf')).posts);
    expect(posts).toHaveLength(ARCHIVE_TOTAL);
    const failures = posts
      .map((post) => ({ id: post.id, problems: blockKitProblems(renderSlackAnnouncement(post)) }))
      .filter((result) => result.problems.length > 0);
    expect(failures).toEqual([]);
    for (const post of posts) expect(strayControlSequences(renderSlackAnnouncement(post))).toEqual([]);
  });

  it('renders header, summary, context with author, date and tags, and a Read the post button', () => {
    const message = renderSlackAnnouncement(
      makePost(3, { tags: ['Grants', 'PyCon US'], author: 'Deb Nicholson' }),
    );
    expect(message.blocks.map((block) => block.type)).toEqual(['header', 'section', 'context', 'actions']);
    expect(message.blocks[0]).toMatchObject({ text: { type: 'plain_text', text: 'Post number 3' } });
    expect(message.blocks[1]).toMatchObject({ text: { type: 'mrkdwn', text: 'Summary of post 3.' } });
    const context = JSON.stringify(message.blocks[2]);
    expect(context).toContain('By Deb Nicholson');
    expect(context).toContain('Tags: Grants, PyCon US');
    expect(context).toMatch(/<!date\^\d+\^\{date_short_pretty\}\|2025-01-04>/);
    expect(message.blocks[3]).toMatchObject({
      elements: [
        {
          type: 'button',
          text: { text: 'Read the post' },
          url: 'https://pyfound.blogspot.com/2025/01/post-3.html',
        },
      ],
    });
    expect(message.text).toContain('Post number 3');
    expect(message).toMatchObject({ unfurl_links: false, unfurl_media: false });
    expect(message).not.toHaveProperty('link_names');
    expect(message).not.toHaveProperty('parse');
  });

  it('pings no one: <!channel>, <!here> and <@U123> in any feed field arrive escaped', () => {
    const payload = PINGS.join(' & ');
    const message = renderSlackAnnouncement(
      makePost(1, { title: `Hi ${payload}`, summary: `Read ${payload}`, author: payload, tags: PINGS }),
    );
    expect(strayControlSequences(message)).toEqual([]);
    const all = mrkdwnTexts(message).join('\n');
    expect(all).toContain('&lt;!channel&gt;');
    expect(all).toContain('&lt;!here&gt;');
    expect(all).toContain('&lt;@U123&gt;');
    expect(all).toContain(' &amp; ');
    expect(all).not.toMatch(/<(?!!date\^)[!@#]/);
    expect(blockKitProblems(message)).toEqual([]);
  });

  it('stays within limits for absurd posts and links nothing but http(s)', () => {
    const message = renderSlackAnnouncement(
      makePost(2, {
        title: 'T'.repeat(1000),
        summary: '&<>'.repeat(3000),
        author: 'A'.repeat(5000),
        tags: Array.from({ length: 40 }, (_, i) => `tag-${i}-${'x'.repeat(100)}`),
        url: 'javascript:alert(1)',
      }),
    );
    expect(blockKitProblems(message)).toEqual([]);
    expect(strayControlSequences(message)).toEqual([]);
    expect(message.blocks.map((block) => block.type)).toEqual(['header', 'section', 'context']);
    const section = mrkdwnTexts(message)[1]!;
    expect(section).toMatch(/^(&amp;|&lt;|&gt;)+…$/);
    expect(section.length).toBeLessThanOrEqual(3000);
  });

  it('leaves out what the post lacks instead of sending empty text', () => {
    const message = renderSlackAnnouncement(
      makePost(4, { title: '  ', summary: '', author: null, publishedAt: null, tags: [], url: null }),
    );
    expect(message.blocks.map((block) => block.type)).toEqual(['header']);
    expect(blockKitProblems(message)).toEqual([]);
  });
});
