import { describe, expect, it } from 'vitest';
import { renderHomeView } from '../../../adapters/slack/home.js';
import type { HomeContent } from '../../../src/commands/home.js';
import { homeViewProblems, strayInView } from '../../fakes/slack/block-kit.js';
import { makePost } from '../../helpers/delivery-fixtures.js';

const hostile = 'Win <!channel> <@U123> & <https://evil.test|click> ' + 'x'.repeat(4000);

describe('the Home tab view', () => {
  it('stays within Block Kit limits and keeps hostile text inert, however many subscriptions', () => {
    const content: HomeContent = {
      posts: Array.from({ length: 5 }, (_, i) =>
        makePost(i, {
          title: hostile,
          summary: hostile,
          tags: [hostile, 'grants'],
          url: `https://e.test/${i}`,
        }),
      ),
      subscriptions: Array.from({ length: 400 }, (_, i) => ({
        channelId: i % 7 === 0 ? `<!here>${i}` : `C${String(i).padStart(8, '0')}`,
        description: hostile,
        disabledReason: i % 3 === 0 ? hostile : null,
        disabledAt: i % 3 === 0 ? '2026-11-30T10:00:00.000Z' : null,
      })),
      feeds: [
        { name: 'psf', title: 'PSF blog' },
        { name: 'evil', title: hostile },
      ],
    };
    const view = renderHomeView(content, new Date('2026-12-01T15:00:00Z'));
    expect(homeViewProblems(view)).toEqual([]);
    expect(strayInView(view)).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(JSON.stringify(view.blocks.at(-4))).toMatch(/…and \d+ more/);
  });

  it('tells an admin when no channel is subscribed', () => {
    const view = renderHomeView({ posts: [], subscriptions: [], feeds: [] });
    expect(homeViewProblems(view)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain('No channel here gets announcements yet.');
    expect(JSON.stringify(view.blocks)).toContain('No posts yet');
  });
});
