/**
 * The Python Software Foundation's news feeds, by name: what `PSF_FEEDS=psf,insider,pypi,pycon` means.
 * This is the one place their URLs live. Each entry says where the feed is today, its format, where its
 * site is moving (if it is), and where those facts come from. Nothing here was fetched live: the sources
 * are the project's design notes, the fixtures in tests/fixtures (copied from the live feeds), and public
 * code and pages that use these URLs.
 */

/** A named feed of the catalogue. */
export interface CatalogueFeed {
  name: string;
  /** How `help`, `status` and the Slack Home tab name it. */
  title: string;
  /** Where it is polled. */
  url: string;
  format: 'Blogger Atom' | 'RSS 2.0';
  /**
   * The feed of the site it is moving to, polled when `url` is gone (HTTP 404 or 410). A redirect from `url`
   * is followed anyway. Either way posts already known under their old ids are recognised by fingerprint
   * (normalised title and date, `src/posts/fingerprint.ts`) and announced nothing twice.
   */
  movingTo?: { url: string; format: 'Blogger Atom' | 'RSS 2.0' };
  /** Earlier URLs of the same feed: `name=<one of these>` is followed to `url` once it answers 404 or 410. */
  formerly?: string[];
  sources: string[];
}

export const FEED_CATALOGUE: readonly CatalogueFeed[] = [
  {
    name: 'psf',
    title: 'PSF blog',
    url: 'https://pyfound.blogspot.com/feeds/posts/default',
    format: 'Blogger Atom',
    movingTo: { url: 'https://pyfound.blogspot.com/rss.xml', format: 'RSS 2.0' },
    sources: [
      'DESIGN.md §2: the default feed; the blog moves from Blogger to a static site and the old feed URL will redirect to /rss.xml, where posts get new ids and URLs and dates without a time',
      'tests/fixtures/feeds/psf-blogger-atom.xml and psf-archive/: the live Blogger feed (February 2026)',
      'tests/fixtures/feeds/psf-astro-rss.xml: the new site’s RSS (channel link https://pyfound.blogspot.com/, item links on the same host ending in /)',
      'public code listing "Python Software Foundation Blog" at https://pyfound.blogspot.com/feeds/posts/default (also with ?alt=rss)',
    ],
  },
  {
    name: 'insider',
    title: 'Python Insider',
    url: 'https://blog.python.org/rss.xml',
    format: 'RSS 2.0',
    formerly: [
      'https://blog.python.org/feeds/posts/default',
      'https://pythoninsider.blogspot.com/feeds/posts/default',
      'http://feeds.feedburner.com/PythonInsider',
    ],
    sources: [
      'DESIGN.md §2: insider = https://blog.python.org/rss.xml',
      'tests/fixtures/feeds/python-insider-rss.xml: https://blog.python.org/rss.xml, 50 posts, bare dates',
      'public code listing https://blog.python.org/rss.xml as the official Python blog feed, and older code listing its Blogger feeds (blog.python.org/feeds/posts/default?alt=rss, pythoninsider.blogspot.com/feeds/posts/default, feeds.feedburner.com/PythonInsider)',
    ],
  },
  {
    name: 'pypi',
    title: 'PyPI blog',
    url: 'https://blog.pypi.org/feed_rss_created.xml',
    format: 'RSS 2.0',
    sources: [
      'blog.pypi.org "Welcome to the PyPI Blog" (2023-03-21): hosted on Read the Docs, built with MkDocs and Material for MkDocs',
      'public code and notes: "the obvious blog feed URLs 404"; the working feeds follow the Material-for-MkDocs convention, feed_rss_created.xml (new posts) and feed_rss_updated.xml',
      'mkdocs-rss-plugin templates/rss.xml.jinja2: item title, description, link, pubDate, source, guid isPermaLink, optional enclosure',
    ],
  },
  {
    name: 'pycon',
    title: 'PyCon US blog',
    url: 'https://pycon.blogspot.com/feeds/posts/default',
    format: 'Blogger Atom',
    sources: [
      'public code listing "The PyCon blog" (website http://pycon.blogspot.com/) with the feed http(s)://pycon.blogspot.com/feeds/posts/default',
    ],
  },
];

/** The catalogue entry of a feed name, or undefined. */
export function catalogueFeed(name: string): CatalogueFeed | undefined {
  return FEED_CATALOGUE.find((feed) => feed.name === name);
}

/** `psf (PSF blog)`, or just the name for a feed outside the catalogue. */
export function feedLabel(feed: { name: string; title?: string }): string {
  return feed.title ? `${feed.name} (${feed.title})` : feed.name;
}
