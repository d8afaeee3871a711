/** The one short message `help` answers with. */
export const HELP_TEXT = [
  'PSF news bot: `/psf <command>`',
  '`latest [count] [feed]`: newest posts (5 by default, at most 10)',
  '`tag <tag> [count]`: newest posts with a tag · `tags`: the tags in use',
  '`search <words>`: posts by relevance, typos forgiven',
  '`status`: feeds and queues',
  '`subscribe [feed] [tag,tag] [mention @group]` (`-tag` excludes), `unsubscribe [feed]`, `subscriptions`, `test`: announcements here (managers)',
  '`why <post>`: was it announced here, and if not why',
  'Answers are private; add `share` to post one to the channel.',
].join('\n');
