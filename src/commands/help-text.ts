import { describeDigest, type DigestSchedule } from '../digests/period.js';
import { feedLabel } from '../feeds/catalogue.js';

/** The lines of the short help about lookups and subscriptions, on every platform. */
const HELP_LINES = [
  'PSF news bot: `/psf <command>`, `share` to show everyone',
  '`latest [count] [feed]`: newest posts',
  '`tag <tag> [count]`, `tags`: posts by tag, tags in use',
  '`search <words> [year] [sort:new]`: best matches',
  '`status`: feeds, queues · `why <post>`: announced here? why not?',
  '`subscribe [feed] [tag,tag]`, `unsubscribe [feed]`, `subscriptions`, `test`: announce here (managers; digest daily|weekly, style…: `help subscribe`)',
];

/** The one short message `help` answers with (under 600 characters with the feeds line). */
export const HELP_TEXT = [...HELP_LINES, '`help <command>`: more.'].join('\n');

/** Discord's short help: follows (when the bot has hubs) and user installs, pointing to their detail. */
const DISCORD_HELP = (hubs: boolean) =>
  [
    ...HELP_LINES,
    ...(hubs ? ['`follow [feed]`, `unfollow`: Discord copies the hub here (`help follow`)'] : []),
    '`help <command>`: more · `help install`: DMs, any server',
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

/** Where `help` is asked: Discord adds follows (when the bot has hubs) and user installs. */
export interface HelpPlace {
  discord?: boolean;
  /** The feeds that have a hub (`DISCORD_HUB_CHANNELS`). */
  hubs?: readonly string[];
}

/** `help` with the configured feeds named in words: `Feeds: psf (PSF blog), insider (Python Insider)`. */
export function helpText(feeds: readonly { name: string; title?: string }[], place: HelpPlace = {}): string {
  const text = place.discord ? DISCORD_HELP((place.hubs ?? []).length > 0) : HELP_TEXT;
  return feeds.length > 0 ? `${text}\nFeeds: ${feeds.map(feedLabel).join(', ')}.` : text;
}

/** `help follow`: what a follow gives and does not give, and what the bot needs. */
function followHelp(hubs: readonly string[]): string {
  const which =
    hubs.length > 0 ? `Feeds with a hub here: ${hubs.join(', ')}.` : 'This bot has no hubs: use `subscribe`.';
  return [
    "`follow [feed] [channel]` (managers): the channel follows the feed's hub, an announcement channel the bot's operator runs, and Discord itself copies each post published there into it. No feed named: every hub.",
    "The trade: a follow is all of a feed's posts, with no tag filter, role, thread, digest, template or style option; but once the hub publishes a post, Discord copies it here however busy psf-bot is, and it costs the bot nothing per post. The hub publishes at most about 10 posts an hour (Discord's limit): in a busier hour the rest come later, and while psf-bot is down the hub publishes nothing.",
    'The bot needs Manage Webhooks in the channel (Discord makes a webhook there). A channel follows or subscribes to a feed, never both (each post would come twice). `unfollow [feed]` ends a follow.',
    which,
  ].join('\n');
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
  unfollow:
    "`unfollow [feed] [channel]` (managers): ends the channel's follow of the feed's hub (every hub: no feed named) by deleting the webhook Discord made for it.",
  install:
    'Add psf-bot to your account (the operator\'s "add to your account" link, or the app\'s profile → Add App): the lookups (`latest`, `tag`, `tags`, `search`, `status`, `help`) then work in DMs, group DMs and any server, even one without the bot. Announcements, `subscribe`, `follow` and `why` need the bot added to the server by a server manager.',
};

/** `help <command>`: its detail, and for digests when they go out; the short help for anything else. */
export function helpTopic(
  topic: string,
  feeds: readonly { name: string; title?: string }[],
  schedule: DigestSchedule | undefined,
  now: Date,
  place: HelpPlace = {},
): string {
  if (topic === 'digest' || topic === 'subscribe') {
    const when = schedule
      ? ` Digests: ${describeDigest('daily', schedule, now)}; ${describeDigest('weekly', schedule, now)}.`
      : '';
    const digest =
      '`… digest daily|weekly|off`: one message a day or a week listing the posts, not one per post.';
    return topic === 'digest' ? `${digest}${when}` : `${DETAIL.subscribe}\n${SUBSCRIBE_HELP}${when}`;
  }
  if (topic === 'follow') return followHelp(place.hubs ?? []);
  return DETAIL[topic] ?? `No help on “${topic.slice(0, 40)}”.\n${helpText(feeds, place)}`;
}
