import { parseFeed } from '../../src/feeds/parse.js';
import { atMost, figure, type Figure } from '../lib/figures.js';
import { hostileFeeds } from '../lib/hostile-feeds.js';

const RUNS = 5;

/**
 * `adversarial_item_ms`: the time to parse and normalise a feed holding one hostile item (a 1 MB `<a `-title,
 * a 1 MB `<img ` description, 500 KB of `[`): for each, the median wall time of 5 parses after one warm-up
 * (the machine is shared, so one parse can be held up by other work); the figure is the worst of the three.
 */
export async function adversarial(): Promise<Figure[]> {
  const notes: string[] = [];
  let worst = 0;
  for (const feed of hostileFeeds()) {
    await parseFeed(feed.xml, 'hostile');
    const times: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const started = performance.now();
      const parsed = await parseFeed(feed.xml, 'hostile');
      times.push(performance.now() - started);
      if (parsed.posts.length + parsed.skipped.length !== 1) throw new Error(`${feed.name}: not one item`);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(RUNS / 2)] ?? 0;
    notes.push(`${feed.name} ${median.toFixed(0)} ms (max ${(times.at(-1) ?? 0).toFixed(0)})`);
    worst = Math.max(worst, median);
  }
  return [
    figure('adversarial_item_ms', worst, 'ms', { goal: atMost(500), note: notes.join(', '), digits: 1 }),
  ];
}
