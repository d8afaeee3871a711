import { describeDigest, type DigestSchedule } from '../digests/period.js';
import { feedLabel } from '../feeds/catalogue.js';

/** The one short message `help` answers with. */
export const HELP_TEXT = [
  'PSF news bot: `/psf <command>`',
  '`latest [count] [feed]`: newest posts (5 by default, at most 10)',
  '`tag <tag> [count]`: newest posts with a tag · `tags`: the tags in use',
  '`search <words> [year] [sort:new]`: best matches first',
  '`status`: feeds and queues',
  '`subscribe [feed] [tag,tag]`, `unsubscribe [feed]`, `subscriptions`, `test`: announcements here (managers)',
  '`why <post>`: was it announced here, if not why',
  '`… digest daily|weekly|off`, `… template "…"`, `… style …`: see `help subscribe`',
  'Answers are private (add `share`). `help <command>`: more.',
].join('\n');

/** `help subscribe`: every option of `subscribe`, templates and styles with three examples. */
export const SUBSCRIBE_HELP = [
  '`subscribe [feed…|all] [tag,tag] [option…]` (managers). Options:',
  '`-tag` excludes a tag; `*` as the tags: every post',
  '`mention @group|none`: ping a user group (Slack) or role (Discord) with each post',
  '`digest daily|weekly|off`: one message a day or week instead of one per post',
  '`style embed|components` (Discord) or `style blocks|card` (Slack): the layout; a change applies to later posts',
  '`template "<text>"|none`: text shown first in each announcement. Placeholders: `{{title}}`, `{{summary}}`, `{{link}}`, `{{author}}`, `{{date}}`, `{{tags}}`, `{{feed}}`, `{{image}}`; fallbacks `{{author||feed||text::the PSF}}`; a cap cut on a word `{{summary:200}}`. Feed text is escaped and never pings. Examples:',
  `• ${'`'}template "New on {{feed}}: {{title}}"${'`'}`,
  `• ${'`'}template "{{title}} by {{author||text::the PSF}}, {{date}}"${'`'}`,
  `• ${'`'}template "{{summary:200}} · tags: {{tags||text::none}}"${'`'}`,
].join('\n');

/** `help` with the configured feeds named in words: `Feeds: psf (PSF blog), insider (Python Insider)`. */
export function helpText(feeds: readonly { name: string; title?: string }[]): string {
  return feeds.length > 0 ? `${HELP_TEXT}\nFeeds: ${feeds.map(feedLabel).join(', ')}.` : HELP_TEXT;
}

/** The detail of one command (`help subscribe`), beyond the one line `help` gives it. */
const DETAIL: Record<string, string> = {
  latest: '`latest [count] [feed]`: the newest posts, 5 by default, at most 10; name a feed to see only it.',
  tag: '`tag <tag> [count]`: the newest posts with a tag (several words allowed); `tags` lists the tags in use.',
  search:
    '`search <words> [year] [sort:new]`: a post titled exactly as the words first, then posts with every word in their title, newest first, then the rest by relevance; typos forgiven. A year (`pycon 2019`) keeps posts of that year; `sort:new` ranks every match newest first.',
  subscribe:
    '`subscribe [feed…|all] [tag, -tag, tag:x] [mention @group|none] [digest daily|weekly|off]`: naming feeds sets exactly those (`all`: every feed); naming none keeps them (a new subscription gets every feed). A word naming a feed is a feed; write a tag spelled like a feed as `tag:pypi`. `-tag` excludes, `*` clears the tags. What you do not name keeps its value. Channel managers only.',
  unsubscribe: '`unsubscribe [feed]`: drops one feed, or the whole subscription.',
  why: '`why <post>`: a post URL, id or words of its title: whether it was announced here, and if not why.',
};

/** `help <command>`: its detail, and for digests when they go out; the short help for anything else. */
export function helpTopic(
  topic: string,
  feeds: readonly { name: string; title?: string }[],
  schedule: DigestSchedule | undefined,
  now: Date,
): string {
  if (topic === 'digest' || topic === 'subscribe') {
    const when = schedule
      ? ` Digests: ${describeDigest('daily', schedule, now)}; ${describeDigest('weekly', schedule, now)}.`
      : '';
    const digest =
      '`… digest daily|weekly|off`: one message a day or a week listing the posts, not one per post.';
    return topic === 'digest' ? `${digest}${when}` : `${DETAIL.subscribe}\n${SUBSCRIBE_HELP}${when}`;
  }
  return DETAIL[topic] ?? `No help on “${topic.slice(0, 40)}”.\n${helpText(feeds)}`;
}
