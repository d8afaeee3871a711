import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../../src/feeds/parse.js';
import { summarise } from '../../../src/posts/summary.js';
import { ARCHIVE_STARTS, archivePage, readFixture } from '../../helpers/fixtures.js';
import Parser from 'rss-parser';

const sentence = (n: number) => `Sentence number ${n} says something about the Python Software Foundation.`;

describe('summarise', () => {
  it('returns short text unchanged, without an ellipsis', () => {
    expect(summarise('<p>Hello <b>world</b>.</p>')).toBe('Hello world.');
  });

  it('drops images, scripts, styles and link URLs, and decodes entities', () => {
    const html = `<style>p{color:red}</style><script>alert(1)</script><p><img src="x.png" alt="A picture">
      Read the <a href="https://example.org/report">annual report</a> &amp; the &quot;minutes&quot;&nbsp;now.</p>`;
    expect(summarise(html)).toBe('Read the annual report & the "minutes" now.');
  });

  it('flattens lists and table cells into sentences', () => {
    const html =
      '<p>Winners:</p><ul><li>Alice</li><li>Bob</li></ul><table><tr><td>Grants</td><td>$10</td></tr></table>';
    expect(summarise(html)).toBe('Winners: Alice. Bob. Grants. $10');
  });

  it('keeps the space before inline code that starts with a dot, and drops it before a comma', () => {
    expect(summarise('A request has to end in .whl , .tar.gz , or .zip to count.')).toBe(
      'A request has to end in .whl, .tar.gz, or .zip to count.',
    );
    expect(summarise('<p>Files ending in <code>.whl</code> or <code>.zip</code> count.</p>')).toBe(
      'Files ending in .whl or .zip count.',
    );
  });

  it('removes "Read more" and "Continue reading" boilerplate', () => {
    expect(summarise('<p>The board met today.</p><a href="/p">Read more »</a>')).toBe('The board met today.');
    expect(summarise('<p>The board met today. Continue reading…</p>')).toBe('The board met today.');
    expect(summarise('<p>Short news. Read more 2019 Python Language Summit coverage.</p>')).toBe(
      'Short news.',
    );
  });

  it('keeps whole sentences within the budget, with no ellipsis', () => {
    const html = `<p>${[1, 2, 3, 4, 5, 6].map(sentence).join(' ')}</p>`;
    const summary = summarise(html, 300);
    expect(summary).toBe([1, 2, 3, 4].map(sentence).join(' '));
    expect(summary.length).toBeLessThanOrEqual(300);
  });

  it('cuts one long sentence on a word boundary and adds an ellipsis', () => {
    const words = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    const summary = summarise(`<p>${words}</p>`, 100);
    expect(summary.endsWith('…')).toBe(true);
    expect(summary.length).toBeLessThanOrEqual(101);
    expect(words.startsWith(summary.slice(0, -1))).toBe(true);
    expect(words.charAt(summary.length - 1)).toBe(' ');
  });

  it('decodes text that was escaped twice', () => {
    expect(summarise('Fish &amp;amp; chips')).toBe('Fish & chips');
  });

  it('copes with empty and missing input', () => {
    expect(summarise('')).toBe('');
    expect(summarise(null)).toBe('');
  });
});

describe('summaries of the whole PSF archive', () => {
  it('has plain text within budget for every one of the 733 posts', async () => {
    let checked = 0;
    for (const start of ARCHIVE_STARTS) {
      const xml = readFixture(archivePage(start));
      const raw = await new Parser().parseString(xml);
      const posts = (await parseFeed(xml, 'psf')).posts;
      expect(posts).toHaveLength(raw.items.length);
      for (const post of posts) {
        const where = `${post.title}: ${post.summary}`;
        expect(post.summary, where).not.toMatch(/<\/?[a-z][^>]*>/i);
        expect(post.summary, where).not.toMatch(/&(?:[a-z]+|#\d+|#x[0-9a-f]+);/i);
        expect(post.summary.length, where).toBeLessThanOrEqual(301);
        expect(post.summary, where).not.toMatch(/read more|continue reading/i);
        expect(post.summary, where).not.toMatch(/\s{2}|^\s|\s$/);
        checked += 1;
      }
    }
    expect(checked).toBe(733);
  });
});
