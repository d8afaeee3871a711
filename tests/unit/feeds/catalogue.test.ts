import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../src/commands/types.js';
import { loadConfig } from '../../../src/config.js';
import { FEED_CATALOGUE } from '../../../src/feeds/catalogue.js';
import { ADMIN, makeCore } from '../commands/core-fixture.js';

const text = (reply: Reply) => (reply.kind === 'text' ? reply.text : JSON.stringify(reply));

describe('the feed catalogue', () => {
  it('names the foundation’s four feeds, each an https URL with a title and its sources', () => {
    expect(FEED_CATALOGUE.map((feed) => [feed.name, feed.title])).toEqual([
      ['psf', 'PSF blog'],
      ['insider', 'Python Insider'],
      ['pypi', 'PyPI blog'],
      ['pycon', 'PyCon US blog'],
    ]);
    for (const feed of FEED_CATALOGUE) {
      expect(feed.url).toMatch(/^https:\/\/[a-z.]+\//);
      expect(feed.sources.length).toBeGreaterThan(0);
      if (feed.movingTo) expect(feed.movingTo.url).toMatch(/^https:\/\/.+\/rss\.xml$/);
    }
  });

  it('follows a catalogue feed from its own old URLs to where it moved, and an operator’s own URL nowhere', () => {
    const feeds = loadConfig({
      PSF_FEEDS:
        'psf=https://pyfound.blogspot.com/feeds/posts/default,insider=https://blog.python.org/feeds/posts/default',
    }).feeds;
    expect(feeds[0]?.movedTo).toBe('https://pyfound.blogspot.com/rss.xml');
    expect(feeds[1]).toEqual({
      name: 'insider',
      url: 'https://blog.python.org/feeds/posts/default',
      title: 'Python Insider',
      movedTo: 'https://blog.python.org/rss.xml',
    });
    expect(loadConfig({ PSF_FEEDS: 'psf=./my-copy.xml' }).feeds[0]).toEqual({
      name: 'psf',
      url: './my-copy.xml',
      title: 'PSF blog',
    });
  });

  it('is how help, status and an unknown feed name the feeds, in words', async () => {
    const feeds = loadConfig({ PSF_FEEDS: 'psf,insider,planet=https://planetpython.org/rss20.xml' }).feeds;
    const { core } = await makeCore([], feeds);
    expect(text(await core.handle({ name: 'help', share: false }, ADMIN))).toMatch(
      /\nFeeds: psf \(PSF blog\), insider \(Python Insider\), planet\.$/,
    );
    const status = text(await core.handle({ name: 'status', share: false }, ADMIN));
    expect(status).toMatch(/^Feed psf \(PSF blog\): 0 posts indexed/);
    expect(status).toMatch(/\nFeed insider \(Python Insider\): 0 posts indexed/);
    expect(status).toMatch(/\nFeed planet: 0 posts indexed/);
    expect(await core.handle({ name: 'latest', count: 3, feed: 'nope', share: false }, ADMIN)).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/known feeds: psf \(PSF blog\), insider \(Python Insider\), planet\.$/),
    });
    expect(await core.handle({ name: 'subscribe', feed: 'nope', tags: [] }, ADMIN)).toEqual({
      kind: 'error',
      message: 'Unknown feed “nope”. Known feeds: psf (PSF blog), insider (Python Insider), planet.',
    });
  });
});
