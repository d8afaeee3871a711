import { readFile } from 'node:fs/promises';
import { parseFeed } from '../../src/feeds/parse.js';
import type { Platform, Post } from '../../src/posts/post.js';
import type { Subscription } from '../../src/subscriptions/subscription.js';
import { ARCHIVE_STARTS, archivePage } from '../../tests/helpers/fixtures.js';

/** The 733 posts of the PSF archive fixture, parsed as the poller parses them. */
export async function loadArchive(): Promise<Post[]> {
  const pages = await Promise.all(
    ARCHIVE_STARTS.map(
      async (start) => (await parseFeed(await readFile(archivePage(start), 'utf8'), 'psf')).posts,
    ),
  );
  return pages.flat();
}

/** A small deterministic generator (LCG) so every run indexes the same synthetic posts. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * `count` synthetic posts in the archive's own words: titles and summaries drawn from its vocabulary,
 * tags from its labels plus generated ones (skewed, so a few are common), dates over twenty years.
 */
export function syntheticPosts(count: number, archive: readonly Post[]): Post[] {
  const words = [
    ...new Set(
      archive.flatMap((post) => `${post.title} ${post.summary}`.toLowerCase().match(/[a-z]{3,}/g) ?? []),
    ),
  ];
  const labels = [...new Set(archive.flatMap((post) => post.tags))];
  for (let i = 0; labels.length < 400; i += 1) labels.push(`topic-${i}`);
  const next = random(7);
  const pick = <T>(list: readonly T[], skew = 1) => list[Math.floor(next() ** skew * list.length)]!;
  const phrase = (length: number) => Array.from({ length }, () => pick(words)).join(' ');
  const start = Date.parse('2006-01-01T00:00:00Z');
  const span = Date.parse('2026-02-01T00:00:00Z') - start;
  return Array.from({ length: count }, (_, i) => {
    const published = new Date(start + Math.floor(next() * span)).toISOString();
    const title = phrase(4 + Math.floor(next() * 6));
    return {
      id: `bench-synthetic-${i}`,
      feed: 'psf',
      title: title.charAt(0).toUpperCase() + title.slice(1),
      url: `https://pyfound.blogspot.com/synthetic/${i}.html`,
      author: pick(['The PSF', 'Jane Doe', 'Ee Durbin', 'Deb Nicholson']),
      publishedAt: published,
      updatedAt: published,
      tags: Array.from({ length: Math.floor(next() * 3) }, () => pick(labels, 2)),
      summary: `${phrase(40 + Math.floor(next() * 15))}.`,
      image: null,
    };
  });
}

/** A post for delivery scenarios: unique title and URL, published now. */
export function deliveryPost(n: number, now = new Date()): Post {
  return {
    id: `bench-delivery-${n}`,
    feed: 'psf',
    title: `Benchmark announcement ${n}`,
    url: `https://pyfound.blogspot.com/bench/${n}.html`,
    author: 'The PSF',
    publishedAt: now.toISOString(),
    updatedAt: now.toISOString(),
    tags: ['bench'],
    summary: 'A post the benchmark announces to many channels, to measure delivery against the limits.',
    image: null,
  };
}

/** A subscription to every feed and tag, created an hour ago (so it receives what is announced now). */
export function subscription(platform: Platform, workspaceId: string, channelId: string): Subscription {
  return {
    platform,
    workspaceId,
    channelId,
    feeds: [],
    tags: [],
    options: {},
    createdBy: 'bench',
    createdAt: new Date(Date.now() - 3_600_000).toISOString(),
    disabledReason: null,
    disabledAt: null,
  };
}

/** A Discord snowflake-shaped channel id (the REST routes take digits only). */
export function discordChannelId(n: number): string {
  return String(1_200_000_000_000_000_000n + BigInt(n));
}
