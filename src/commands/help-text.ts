import { feedLabel } from '../feeds/catalogue.js';

/** The one short message `help` answers with. */
export const HELP_TEXT = [
  'PSF news bot: `/psf <command>`',
  '`latest [count] [feed]`: newest posts (5 by default, at most 10)',
  '`tag <tag> [count]`: newest posts with a tag · `tags`: the tags in use',
  '`search <words> [year] [sort:new]`: best matches first',
  '`status`: feeds and queues',
  '`subscribe [feed] [tag,tag] [mention @group]` (`-tag` excludes), `unsubscribe [feed]`, `subscriptions`, `test`: announcements here (managers)',
  '`why <post>`: was it announced here, and if not why',
  '`… digest daily|weekly|off`, `… template "…"`, `… style …`: see `help subscribe`',
  'Answers are private; add `share` to post one here.',
].join('\n');

/** `help subscribe`: every option of `subscribe`, templates and styles with three examples. */
export const SUBSCRIBE_HELP = [
  '`subscribe [feed] [tag,tag] [option…]` (managers). Options:',
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
