import { describe, expect, it } from 'vitest';
import { renderConsoleDigest } from '../../../adapters/console/console-announcer.js';
import { renderDiscordDigest } from '../../../adapters/discord/digest.js';
import { embedLength } from '../../../adapters/discord/embeds.js';
import { renderSlackDigest } from '../../../adapters/slack/digest.js';
import { MemoryDeliveryLedger } from '../../../src/delivery/ledger.js';
import { MemoryAnnouncementLog } from '../../../src/digests/announcement-log.js';
import { buildDigest, type Digest } from '../../../src/digests/digest.js';
import { MemoryDigestMarks } from '../../../src/digests/digest-marks.js';
import { latestPeriod, type DigestCadence } from '../../../src/digests/period.js';
import type { Post } from '../../../src/posts/post.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import type { Subscription } from '../../../src/subscriptions/subscription.js';
import { blockKitProblems, strayControlSequences } from '../../fakes/slack/block-kit.js';
import { makePost, makeSubscription } from '../../helpers/delivery-fixtures.js';
import { loadArchive } from '../search/archive.js';

const SCHEDULE = { hour: 15, minute: 0, weekday: 1 };

/** Every digest of a cadence over the archive, each post "announced" when it was published. */
async function archiveDigests(cadence: DigestCadence, tags: string[] = [], newest = 733): Promise<Digest[]> {
  const archive = (await loadArchive()).filter((post) => post.publishedAt !== null).slice(0, newest);
  const posts = new MemoryPostStore();
  await posts.save(archive);
  const announcements = new MemoryAnnouncementLog();
  for (const post of archive) await announcements.record(post, new Date(post.publishedAt!));
  const sources = {
    announcements,
    marks: new MemoryDigestMarks(),
    posts,
    ledger: new MemoryDeliveryLedger(),
  };
  const subscription: Subscription = makeSubscription(1, {
    createdAt: '2000-01-01T00:00:00.000Z',
    tags,
    options: { digest: cadence },
  });
  const times = archive.map((post) => Date.parse(post.publishedAt!));
  let period = latestPeriod(cadence, SCHEDULE, new Date(Math.min(...times)));
  const digests: Digest[] = [];
  while (period.start.getTime() <= Math.max(...times)) {
    const digest = await buildDigest(sources, subscription, cadence, period.end);
    if (digest) digests.push(digest);
    await sources.marks.advance(subscription, period.end);
    const next = new Date(period.end.getTime() + (cadence === 'daily' ? 1 : 7) * 86_400_000);
    period = latestPeriod(cadence, SCHEDULE, next);
  }
  return digests;
}

function checkDiscord(digest: Digest): void {
  const body = renderDiscordDigest(digest);
  const embed = body.embeds![0]!;
  expect(embed.description!.length).toBeLessThanOrEqual(4096);
  expect(embedLength(embed)).toBeLessThanOrEqual(6000);
  expect(body.allowed_mentions).toEqual({ parse: [] });
  const listed = embed.description!.split('\n').filter((line) => line.startsWith('• ')).length;
  expect(listed).toBe(digest.posts.length);
  if (digest.more > 0) expect(embed.description).toMatch(new RegExp(`…and ${digest.more} more$`));
}

function checkSlack(digest: Digest): void {
  const message = renderSlackDigest(digest);
  expect(blockKitProblems(message)).toEqual([]);
  expect(strayControlSequences(message)).toEqual([]);
}

describe('digests of the real archive', () => {
  it('list each of the 733 posts once across the weekly digests, at most 10 a message then "and N more"', async () => {
    const digests = await archiveDigests('weekly');
    expect(digests.reduce((sum, digest) => sum + digest.posts.length + digest.more, 0)).toBe(733);
    expect(Math.max(...digests.map((digest) => digest.posts.length))).toBe(10);
    expect(digests.some((digest) => digest.more > 0)).toBe(true);
    for (const digest of digests) {
      expect(new Date(digest.periodEnd).getUTCDay()).toBe(1);
      checkDiscord(digest);
      checkSlack(digest);
    }
  });

  it('render every daily digest of the newest 150 posts within limits; a tag filter narrows them', async () => {
    const digests = await archiveDigests('daily', [], 150);
    expect(digests.reduce((sum, digest) => sum + digest.posts.length + digest.more, 0)).toBe(150);
    for (const digest of digests) {
      checkDiscord(digest);
      checkSlack(digest);
    }
    const grants = await archiveDigests('weekly', ['grants']);
    expect(grants.length).toBeGreaterThan(0);
    for (const digest of grants)
      for (const post of digest.posts) expect(post.tags.map((tag) => tag.toLowerCase())).toContain('grants');
  });
});

describe('a digest of hostile posts', () => {
  const hostile: Post = makePost(1, {
    title: '[Free](https://evil.test) @everyone <!channel> <@&123> **bold** `code`',
    url: 'https://pyfound.blogspot.com/2026/01/a_(b)|c>d.html',
    tags: ['<!here>', 'a'.repeat(300), 'x', 'y', 'z', 'w'],
  });
  const digest: Digest = {
    cadence: 'daily',
    periodEnd: '2026-12-01T15:00:00.000Z',
    posts: [hostile, makePost(2, { title: 'x'.repeat(5000), url: `https://e.test/${'p'.repeat(5000)}` })],
    more: 3,
  };

  it('keeps every link and mention inert on Discord', () => {
    const description = renderDiscordDigest(digest).embeds![0]!.description!;
    const first = description.split('\n')[0]!;
    expect(first).toContain('\\[Free\\](https://evil.test)');
    expect(first).toContain('](https://pyfound.blogspot.com/2026/01/a_%28b%29|c%3Ed.html) · ');
    expect(first).toContain('\\<@&123\\>');
    expect(description).toMatch(/…and 3 more$/);
    checkDiscord(digest);
  });

  it('keeps every link and mention inert on Slack, and says how many more', () => {
    const message = renderSlackDigest(digest);
    checkSlack(digest);
    expect(JSON.stringify(message.blocks)).toContain('&lt;!channel&gt;');
    expect(JSON.stringify(message.blocks.at(-1))).toContain('and 3 more');
  });

  it('prints plain lines on the console, control characters removed', () => {
    const text = renderConsoleDigest({ ...digest, posts: [makePost(3, { title: 'Bell\u0007 here' })] }).text;
    expect(text).toBe(
      [
        '🗞 PSF news: daily digest: 4 new posts up to 1 Dec 2026, 15:00 UTC',
        '• Bell here (2025-01-04 · Board of Directors)',
        '  https://pyfound.blogspot.com/2025/01/post-3.html',
        '…and 3 more',
      ].join('\n'),
    );
  });
});
