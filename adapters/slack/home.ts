import type { App, types } from '@slack/bolt';
import type { HomeContent } from '../../src/commands/home.js';
import { feedLabel } from '../../src/feeds/catalogue.js';
import type { Logger } from '../../src/logger.js';
import type { Post } from '../../src/posts/post.js';
import { SlackClient } from './client.js';
import { SLACK_LIMITS } from './limits.js';
import { escapeAndFit, mrkdwnLink, slackDate, truncate, webUrl } from './mrkdwn.js';
import { isWorkspaceAdmin } from './permissions.js';

/**
 * A Home tab holds at most 100 blocks: https://docs.slack.dev/reference/block-kit/blocks ("up to 50 blocks in
 * each message, and 100 blocks in modals or Home tabs"). We stay far below: posts 5 × 2, subscriptions in at
 * most `MAX_SUBSCRIPTION_SECTIONS` sections.
 */
export const HOME_MAX_BLOCKS = 100;
const MAX_SUBSCRIPTION_SECTIONS = 5;
/** Section text is at most 3,000 characters; subscription lines are packed below that. */
const SECTION_BUDGET = 2_800;
const SUMMARY_LENGTH = 300;
/** Slack channel ids: only these are turned into `<#C…>` links; anything else is shown as escaped text. */
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,30}$/;

/** The `views.publish` view of the Home tab. */
export interface HomeView {
  type: 'home';
  blocks: types.KnownBlock[];
}

const section = (text: string): types.KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const header = (text: string): types.KnownBlock => ({
  type: 'header',
  text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: false },
});
const context = (text: string): types.KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text }],
});

function postBlocks(post: Post, feeds: HomeContent['feeds']): types.KnownBlock[] {
  const url = webUrl(post.url);
  const title = post.title.trim() || 'Untitled post';
  const link = url && url.length <= 2_000 ? mrkdwnLink(url, title, 150) : escapeAndFit(title, 150);
  const summary = post.summary.trim() ? `\n${escapeAndFit(post.summary.trim(), SUMMARY_LENGTH)}` : '';
  const feed = feeds.find((item) => item.name === post.feed);
  const details = [
    slackDate(post.publishedAt),
    escapeAndFit(feed?.title ?? post.feed, 60),
    post.tags.length > 0
      ? post.tags
          .slice(0, 5)
          .map((tag) => escapeAndFit(tag, 40))
          .join(', ')
      : null,
  ].filter((part): part is string => part !== null);
  return [section(`*${link}*${summary}`), context(details.join(' · '))];
}

function subscriptionLine(sub: NonNullable<HomeContent['subscriptions']>[number]): string {
  const channel = CHANNEL_ID.test(sub.channelId) ? `<#${sub.channelId}>` : escapeAndFit(sub.channelId, 40);
  const state = sub.disabledReason
    ? `:warning: *disabled* since ${escapeAndFit(sub.disabledAt ?? 'unknown', 40)}: ${escapeAndFit(sub.disabledReason, 300)} (\`/psf subscribe\` there re-enables it)`
    : 'active';
  return `• ${channel}: ${escapeAndFit(sub.description, 600)}. ${state}`;
}

/** Subscription lines packed into sections under the text limit; what does not fit becomes "and N more". */
function subscriptionBlocks(subscriptions: NonNullable<HomeContent['subscriptions']>): types.KnownBlock[] {
  if (subscriptions.length === 0)
    return [section('No channel here gets announcements yet. Subscribe one as shown below.')];
  const sections: string[] = [];
  let current = '';
  let shown = 0;
  for (const sub of subscriptions) {
    const line = subscriptionLine(sub);
    if (current && current.length + 1 + line.length > SECTION_BUDGET) {
      if (sections.length + 1 >= MAX_SUBSCRIPTION_SECTIONS) break;
      sections.push(current);
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
    shown += 1;
  }
  if (current) sections.push(current);
  const blocks = sections.map(section);
  if (shown < subscriptions.length) blocks.push(context(`…and ${subscriptions.length - shown} more`));
  return blocks;
}

function howToSubscribe(feeds: HomeContent['feeds']): string {
  const names = feeds.map((feed) => escapeAndFit(feedLabel(feed), 80)).join(', ');
  return [
    '*Announce new posts in a channel* (workspace admins): in the channel, type',
    '• `/psf subscribe`: every post of every feed',
    '• `/psf subscribe psf grants`: only the PSF blog, only posts tagged _grants_',
    '• `/psf subscribe digest daily` (or `weekly`): one message a day or a week listing the new posts',
    'Private channels: `/invite` the app first. `/psf subscriptions` lists them, `/psf unsubscribe` stops them, `/psf help` shows every command.',
    names ? `Feeds: ${names}.` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * The Home tab: the five newest posts (linked, summarised), this workspace's subscriptions and their state for
 * admins, and how to subscribe a channel. Feed text is escaped like in announcements.
 */
export function renderHomeView(content: HomeContent, now: Date = new Date()): HomeView {
  const blocks: types.KnownBlock[] = [header('PSF News')];
  blocks.push(
    section(
      'News of the Python Software Foundation, announced in your channels. Ask me anywhere with `/psf latest`, `/psf tag &lt;tag&gt;` or `/psf search &lt;words&gt;`.',
    ),
    { type: 'divider' },
    header('Latest posts'),
  );
  if (content.posts.length === 0) blocks.push(section('No posts yet: the feeds have not been polled.'));
  for (const post of content.posts.slice(0, 5)) blocks.push(...postBlocks(post, content.feeds));
  blocks.push({ type: 'divider' }, header('Subscriptions in this workspace'));
  if (content.subscriptions) blocks.push(...subscriptionBlocks(content.subscriptions));
  else blocks.push(section('Workspace admins see here which channels get announcements, and their state.'));
  blocks.push({ type: 'divider' }, section(howToSubscribe(content.feeds)));
  blocks.push(
    context(
      `Updated ${slackDate(now.toISOString()) ?? now.toISOString()}; opening this tab again refreshes it.`,
    ),
  );
  return { type: 'home', blocks: blocks.slice(0, HOME_MAX_BLOCKS) };
}

/** What the Home tab needs: its content for a workspace, and who may see the subscriptions. */
export interface AppHomeDeps {
  home(workspaceId: string, canManage: boolean): Promise<HomeContent>;
  adminUsers: readonly string[];
  logger: Logger;
}

/**
 * Publishes the Home tab each time a user opens it (`app_home_opened`, tab `home`), so it is always current.
 * https://docs.slack.dev/reference/events/app_home_opened https://docs.slack.dev/reference/methods/views.publish
 */
export function registerAppHome(app: App, deps: AppHomeDeps): void {
  app.event('app_home_opened', async ({ event, client, context: ctx, body }) => {
    if (event.tab !== 'home') return;
    const teamId = ctx.teamId ?? (body as { team_id?: string }).team_id;
    if (!teamId) return;
    try {
      const slack = SlackClient.over(client);
      const canManage = await isWorkspaceAdmin(slack, event.user, deps.adminUsers, deps.logger);
      const view = renderHomeView(await deps.home(teamId, canManage));
      await slack.call('views.publish', { user_id: event.user, view });
    } catch (error) {
      deps.logger.warn({ err: error, team: teamId }, 'could not publish the Home tab');
    }
  });
}
