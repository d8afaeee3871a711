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
  '`… digest daily|weekly|off`: one message a day or week, not one per post',
  'Answers are private; add `share` to post one to the channel.',
].join('\n');

/** `help` with the configured feeds named in words: `Feeds: psf (PSF blog), insider (Python Insider)`. */
export function helpText(feeds: readonly { name: string; title?: string }[]): string {
  return feeds.length > 0 ? `${HELP_TEXT}\nFeeds: ${feeds.map(feedLabel).join(', ')}.` : HELP_TEXT;
}
