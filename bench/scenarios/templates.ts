import { renderDiscordAnnouncement } from '../../adapters/discord/announcement.js';
import { renderSlackAnnouncement } from '../../adapters/slack/announcement.js';
import type { Post } from '../../src/posts/post.js';
import { PLACEHOLDERS } from '../../src/templates/template.js';
import { atMost, figure, type Figure } from '../lib/figures.js';

const RUNS = 5;

/** A post with 1 MB in every text field, mentions and markdown included. */
function megabytePost(): Post {
  const hostile = '@everyone <@&123456789012345678> <!channel> **bold** # ';
  return {
    id: 'bench-1mb',
    feed: 'psf',
    title: hostile.repeat(20_000),
    summary: `${'word '.repeat(200_000)}`,
    author: 'A'.repeat(1_000_000),
    tags: Array.from({ length: 5_000 }, (_, i) => `tag ${i} ${'x'.repeat(200)}`),
    url: 'https://pyfound.blogspot.com/2026/02/bench.html',
    image: 'https://blogger.googleusercontent.com/img/b/bench.png',
    publishedAt: '2026-02-10T17:30:00.000Z',
    updatedAt: null,
  };
}

/** The longest template there can be that uses every placeholder, capped and not, then repeats the title. */
function floodTemplate(): string {
  const every = PLACEHOLDERS.map((name) => `{{${name}}}{{${name}:50}}`).join(' ');
  return `${every}${'{{title}}'.repeat(Math.floor((1000 - every.length) / 9))}`;
}

/**
 * `template_render_ms`: the time to render one announcement of a post with 1 MB in every text field, with a
 * 1,000-character template using every placeholder, in each style (Discord embed and components, Slack blocks
 * and card): the median of 5 renders after one warm-up; the figure is the worst style.
 */
export async function templateRendering(): Promise<Figure[]> {
  const post = megabytePost();
  const template = floodTemplate();
  const renders: [string, () => unknown][] = [
    ['embed', () => renderDiscordAnnouncement(post, { template, style: 'embed' })],
    ['components', () => renderDiscordAnnouncement(post, { template, style: 'components' })],
    ['blocks', () => renderSlackAnnouncement(post, { template, style: 'blocks' })],
    ['card', () => renderSlackAnnouncement(post, { template, style: 'card' })],
  ];
  const notes: string[] = [];
  let worst = 0;
  for (const [name, render] of renders) {
    render();
    const times: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const started = performance.now();
      render();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(RUNS / 2)] ?? 0;
    notes.push(`${name} ${median.toFixed(1)} ms`);
    worst = Math.max(worst, median);
  }
  return [
    figure('template_render_ms', worst, 'ms', { goal: atMost(250), note: notes.join(', '), digits: 1 }),
  ];
}
