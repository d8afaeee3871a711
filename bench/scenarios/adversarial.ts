import { parseFeed } from '../../src/feeds/parse.js';
import { atMost, figure, type Figure } from '../lib/figures.js';
import { hostileFeeds } from '../lib/hostile-feeds.js';

/**
 * `adversarial_item_ms`: the worst wall time to parse and normalise a feed holding one hostile item (a 1 MB
 * `<a `-title, a 1 MB `<img ` description, 500 KB of `[`), after one warm-up parse of each.
 */
export async function adversarial(): Promise<Figure[]> {
  const feeds = hostileFeeds();
  const times: string[] = [];
  let worst = 0;
  for (const feed of feeds) {
    await parseFeed(feed.xml, 'hostile');
    const started = performance.now();
    const parsed = await parseFeed(feed.xml, 'hostile');
    const ms = performance.now() - started;
    if (parsed.posts.length + parsed.skipped.length !== 1) throw new Error(`${feed.name}: not one item`);
    times.push(`${feed.name} ${ms.toFixed(0)} ms`);
    worst = Math.max(worst, ms);
  }
  return [
    figure('adversarial_item_ms', worst, 'ms', { goal: atMost(500), note: times.join(', '), digits: 1 }),
  ];
}
