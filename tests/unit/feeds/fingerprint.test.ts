import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../../src/feeds/parse.js';
import {
  fingerprint,
  fingerprintCandidates,
  normaliseTitle,
  sameFingerprint,
} from '../../../src/posts/fingerprint.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';

const post = (title: string, publishedAt: string | null) => ({ title, publishedAt });

describe('fingerprint', () => {
  it('ignores case, punctuation, quote style and emoji in titles', () => {
    expect(normaliseTitle('The PSF’s Fellows for Q4 2025! 🎉')).toBe(
      normaliseTitle("the psf's fellows for Q4 2025"),
    );
  });

  it('matches a Pacific evening post with the bare date of the same day on the new site', () => {
    const blogger = post('Board election results', '2026-02-12T23:30:00-08:00');
    const site = post('Board Election Results', '2026-02-12T00:00:00Z');
    expect(sameFingerprint(site, blogger)).toBe(true);
    expect(sameFingerprint(blogger, site)).toBe(true);
  });

  it('does not match the same title two days apart, or a different title the same day', () => {
    expect(
      sameFingerprint(
        post('Grants update', '2026-02-10T00:00:00Z'),
        post('Grants update', '2026-02-12T12:00:00Z'),
      ),
    ).toBe(false);
    expect(
      sameFingerprint(
        post('Grants update', '2026-02-10T00:00:00Z'),
        post('Grants report', '2026-02-10T09:00:00Z'),
      ),
    ).toBe(false);
  });

  it('gives an undated post a stable one from its title and link path, whatever its guid', () => {
    const a = { title: 'Grants  Update!', publishedAt: null, url: 'https://example.org/News/grants/?utm=1' };
    const b = { title: 'grants update', publishedAt: null, url: 'https://example.org/news/grants' };
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(fingerprintCandidates(a)).toEqual([fingerprint(a)]);
    expect(fingerprint({ ...b, url: 'https://example.org/news/other' })).not.toBe(fingerprint(b));
    expect(fingerprint({ title: '', publishedAt: null, url: null })).toBeNull();
  });

  it('matches every post of the Blogger Atom fixture with its copy in the new site RSS', async () => {
    const atom = (await parseFeed(readFixture(FIXTURES.bloggerAtom), 'psf')).posts;
    const rss = (await parseFeed(readFixture(FIXTURES.astroRss), 'psf')).posts;
    for (const old of atom) {
      const copies = rss.filter((moved) => sameFingerprint(moved, old));
      expect(
        copies.map((copy) => copy.title),
        old.title,
      ).toHaveLength(1);
      expect(copies[0]!.id).not.toBe(old.id);
    }
  });
});
