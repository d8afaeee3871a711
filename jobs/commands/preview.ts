import { renderConsoleAnnouncement } from '../../adapters/console/console-announcer.js';
import { renderDiscordAnnouncement } from '../../adapters/discord/announcement.js';
import { renderSlackAnnouncement } from '../../adapters/slack/announcement.js';
import type { Config } from '../../src/config.js';
import { fetchFeed } from '../../src/feeds/fetch.js';
import { parseFeed } from '../../src/feeds/parse.js';
import type { Platform, Post } from '../../src/posts/post.js';
import {
  lookOf,
  styleProblem,
  type AnnouncementLook,
  type AnnouncementStyle,
} from '../../src/templates/style.js';
import { UsageError } from '../cli-errors.js';

/** `preview`'s options: the platform, how many posts, the look to render them in, JSON or not. */
export interface PreviewOptions {
  platform?: Platform;
  limit?: number;
  template?: string;
  style?: AnnouncementStyle;
  json?: boolean;
}

/**
 * The body each platform would be sent for one announcement (docs/cli.md `preview --json`), in the template
 * and style given (none: the platform's default).
 */
export function announcementPayload(platform: Platform, post: Post, look: AnnouncementLook = {}): object {
  if (platform === 'discord') return renderDiscordAnnouncement(post, look);
  if (platform === 'slack') return renderSlackAnnouncement(post, look);
  return renderConsoleAnnouncement(post, look);
}

/** `psf-bot preview <URL|PATH>`: parses a feed without Redis and prints each post's announcement. */
export async function runPreview(config: Config, source: string, options: PreviewOptions): Promise<number> {
  const platform = options.platform ?? 'console';
  const refused = !options.style
    ? null
    : platform === 'console'
      ? 'a style is for `--platform discord` or `--platform slack`'
      : styleProblem(options.style, platform);
  if (refused) throw new UsageError(`--style: ${refused}`);
  const look = lookOf(options);
  const fetched = await fetchFeed(source, {}, config.fetch);
  if (fetched.status !== 200) throw new Error(`${source} answered 304 to an unconditional request`);
  const parsed = await parseFeed(fetched.body, 'preview');
  const posts = parsed.posts.slice(0, options.limit ?? parsed.posts.length);
  const items = posts.map((post) => ({ post, payload: announcementPayload(platform, post, look) }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
  } else if (platform === 'console') {
    process.stdout.write(
      items.map((item) => renderConsoleAnnouncement(item.post, look).text).join('\n\n') + '\n',
    );
  } else {
    for (const item of items) process.stdout.write(`${JSON.stringify(item.payload, null, 2)}\n`);
  }
  for (const skipped of parsed.skipped) process.stderr.write(`skipped an item: ${JSON.stringify(skipped)}\n`);
  return 0;
}
