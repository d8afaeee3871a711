import { describe, expect, it } from 'vitest';
import { FeedParseError } from '../../../src/feeds/errors.js';
import { parseFeed } from '../../../src/feeds/parse.js';
import { PostSchema } from '../../../src/posts/normalise.js';
import { ARCHIVE_STARTS, FIXTURES, archivePage, readFixture } from '../../helpers/fixtures.js';

describe('parseFeed on the Blogger Atom fixture', () => {
  it('normalises all 25 entries with Blogger ids, alternate links, authors and ISO times', async () => {
    const feed = await parseFeed(readFixture(FIXTURES.bloggerAtom), 'psf');
    expect(feed.title).toBe('Python Software Foundation News');
    expect(feed.posts).toHaveLength(25);
    expect(feed.skipped).toEqual([]);
    const first = feed.posts[0]!;
    expect(first).toMatchObject({
      id: 'tag:blogger.com,1999:blog-4781218476587227457.post-1500439120687428632',
      feed: 'psf',
      title: "Python is for Everyone: Inside the PSF's D&I Work Group",
      url: 'https://pyfound.blogspot.com/2026/02/python-is-for-everyone-inside-psfs-d.html',
      author: 'Georgi Ker',
      publishedAt: '2026-02-12T15:43:00.000Z',
      updatedAt: '2026-02-12T16:00:00.000Z',
    });
    for (const post of feed.posts) {
      expect(post.id).toMatch(/^tag:blogger\.com,1999:blog-\d+\.post-\d+$/);
      expect(post.url).toMatch(/^https:\/\/pyfound\.blogspot\.com\/\d{4}\/\d{2}\/.+\.html$/);
      expect(PostSchema.safeParse(post).success).toBe(true);
    }
  });

  it('takes the thumbnail from media:thumbnail', async () => {
    const feed = await parseFeed(readFixture(FIXTURES.bloggerAtom), 'psf');
    expect(feed.posts[0]!.image).toMatch(/^https:\/\/blogger\.googleusercontent\.com\/img\/a\//);
    expect(feed.posts.filter((post) => post.image !== null).length).toBeGreaterThanOrEqual(5);
  });

  it('reports the rel=next link and openSearch totalResults', async () => {
    const feed = await parseFeed(readFixture(FIXTURES.bloggerAtom), 'psf');
    expect(feed.next).toBe(
      'https://www.blogger.com/feeds/4781218476587227457/posts/default?start-index=26&max-results=25',
    );
    expect(feed.totalResults).toBe(733);
  });
});

describe('parseFeed on the archive pages', () => {
  it('reads Atom <category term> labels as written', async () => {
    const feed = await parseFeed(readFixture(archivePage(601)), 'psf');
    const award = feed.posts.find(
      (post) => post.title === 'Frank Willison Memorial Award Recipient Selected',
    );
    expect(award?.tags).toEqual(['award', 'community', 'service']);
    expect(feed.next).toBeNull();
  });

  it('normalises all 733 posts with distinct ids and nothing skipped', async () => {
    const ids = new Set<string>();
    for (const start of ARCHIVE_STARTS) {
      const feed = await parseFeed(readFixture(archivePage(start)), 'psf');
      expect(feed.skipped).toEqual([]);
      for (const post of feed.posts) ids.add(post.id);
    }
    expect(ids.size).toBe(733);
  });

  it('turns Blogger "Unknown" authors into null', async () => {
    const feed = await parseFeed(readFixture(archivePage(601)), 'psf');
    expect(feed.posts.some((post) => post.author === null)).toBe(true);
    expect(feed.posts.every((post) => post.author !== 'Unknown')).toBe(true);
  });
});

describe('parseFeed on RSS', () => {
  it('reads the static site RSS: guid ids, dc:creator authors, bare dates at midnight UTC', async () => {
    const feed = await parseFeed(readFixture(FIXTURES.astroRss), 'psf');
    expect(feed.posts).toHaveLength(50);
    expect(feed.posts[0]).toMatchObject({
      id: 'https://pyfound.blogspot.com/2026/02/python-is-for-everyone-inside-psfs-d/',
      url: 'https://pyfound.blogspot.com/2026/02/python-is-for-everyone-inside-psfs-d/',
      author: 'Georgi Ker',
      publishedAt: '2026-02-12T00:00:00.000Z',
      updatedAt: null,
      image: null,
    });
    expect(feed.totalResults).toBeNull();
  });

  it('reads Python Insider categories and copes with empty descriptions and Markdown links', async () => {
    const feed = await parseFeed(readFixture(FIXTURES.insiderRss), 'insider');
    expect(feed.posts).toHaveLength(50);
    expect(feed.posts[0]).toMatchObject({
      feed: 'insider',
      tags: ['docs'],
      summary: '',
      author: 'Stan Ulbrych',
    });
    const security = feed.posts.find((post) => post.title.startsWith('Python 3.12.14'));
    expect(security?.tags).toEqual(['releases']);
    expect(security?.summary).toMatch(/^Python Releases Eclipse Your Security! New security releases/);
    expect(security?.summary).not.toContain('](');
  });

  it('reads RSS categories given as { _, $ } objects, deduplicating by normalised form', async () => {
    const xml = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://example.org/</link>
      <item><title>One</title><guid>g1</guid><link>/posts/one</link>
      <category domain="http://www.blogger.com/atom/ns#">PyCon US</category><category>pycon-us</category><category>Grants</category>
      <enclosure url="https://example.org/pic.png" type="image/png" length="1"/></item></channel></rss>`;
    const [post] = (await parseFeed(xml, 'x')).posts;
    expect(post?.tags).toEqual(['PyCon US', 'Grants']);
    expect(post?.url).toBe('https://example.org/posts/one');
    expect(post?.image).toBe('https://example.org/pic.png');
  });
});

describe('parseFeed identity and bad input', () => {
  it('falls back to the link, then to a stable hash of title and date, and skips items with neither', async () => {
    const xml = `<rss version="2.0"><channel><title>t</title>
      <item><title>Linked</title><link>https://example.org/a</link></item>
      <item><title>Bare</title><pubDate>Tue, 10 Feb 2026 00:00:00 GMT</pubDate></item>
      <item><description>nothing to name it by</description></item></channel></rss>`;
    const first = await parseFeed(xml, 'x');
    expect(first.posts.map((post) => post.id)).toEqual([
      'https://example.org/a',
      expect.stringMatching(/^sha256:[0-9a-f]{32}$/),
    ]);
    expect(first.skipped).toEqual([{ index: 2, title: null, reason: expect.stringContaining('no guid') }]);
    expect((await parseFeed(xml, 'x')).posts[1]!.id).toBe(first.posts[1]!.id);
  });

  it('skips one unreadable entry and keeps the rest', async () => {
    const xml = `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
      <entry><id>1</id><title>bad link</title><link>not an attribute link</link></entry>
      <entry><id>2</id><title>bad date</title><published>not a date</published></entry>
      <entry><id>3</id><title>fine</title><published>2026-01-01T10:00:00-08:00</published></entry></feed>`;
    const feed = await parseFeed(xml, 'x');
    expect(feed.posts.map((post) => post.id)).toEqual(['3']);
    expect(feed.posts[0]!.publishedAt).toBe('2026-01-01T18:00:00.000Z');
    expect(feed.skipped.map((item) => item.index)).toEqual([0, 1]);
  });

  it.each([
    ['an empty body', '', /empty body/],
    ['plain text', 'Service Unavailable', /not XML/],
    [
      'an HTML page',
      '<!DOCTYPE html><html><body><p>hello</p></body></html>',
      /not (?:XML|an RSS or Atom feed)/,
    ],
    ['broken XML', '<rss version="2.0"><channel><item><title>x</ti', /not XML/],
  ])('rejects %s with a FeedParseError naming the feed', async (_what, body, message) => {
    const error = await parseFeed(body, 'psf').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FeedParseError);
    expect((error as Error).message).toMatch(/^feed psf: /);
    expect((error as Error).message).toMatch(message);
  });

  it('names the line where the XML breaks as an editor numbers it, from 1', async () => {
    const broken =
      '<?xml version="1.0"?>\n<rss version="2.0">\n<channel>\n<title>x & y</title>\n</channel></rss>';
    const error = await parseFeed(broken, 'psf').catch((caught: unknown) => caught);
    expect((error as FeedParseError).reason).toBe('the feed is not XML (broken at line 4)');
  });
});

describe('parseFeed images', () => {
  it('takes the first <img> of the content when there is no thumbnail, resolving it against the site', async () => {
    const xml = `<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>
      <link>https://example.org/blog/</link><item><title>Pictured</title><guid>p1</guid>
      <content:encoded><![CDATA[<p>Hi</p><img src="/img/a.png?x=1&amp;y=2"><img src="https://cdn.example.org/b.png">]]></content:encoded>
      </item></channel></rss>`;
    expect((await parseFeed(xml, 'x')).posts[0]?.image).toBe('https://example.org/img/a.png?x=1&y=2');
  });

  it('asks Blogger for a 640-pixel image instead of the 72-pixel square thumbnail', async () => {
    const feed = await parseFeed(readFixture(archivePage(151)), 'psf');
    const images = feed.posts.map((post) => post.image).filter((image): image is string => image !== null);
    expect(images.some((image) => image.includes('/s640/'))).toBe(true);
    expect(images.some((image) => image.includes('s72-c'))).toBe(false);
  });
});
