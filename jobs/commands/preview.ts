import { renderConsoleAnnouncement } from '../../adapters/console/console-announcer.js';
import { renderDiscordAnnouncement } from '../../adapters/discord/announcement.js';
import { renderSlackAnnouncement } from '../../adapters/slack/announcement.js';
import type { Config } from '../../src/config.js';
import { fetchFeed } from '../../src/feeds/fetch.js';
import { parseFeed } from '../../src/feeds/parse.js';
import type { Platform, Post } from '../../src/posts/post.js';

/** The body each platform would be sent for one announcement (docs/cli.md `preview --json`). */
export function announcementPayload(platform: Platform, post: Post): object {
  if (platform === 'discord') return renderDiscordAnnouncement(post);
  if (platform === 'slack') return renderSlackAnnouncement(post);
  return renderConsoleAnnouncement(post);
}

/** `psf-bot preview <URL|PATH>`: parses a feed without Redis and prints each post's announcement. */
export async function runPreview(
  config: Config,
  source: string,
  options: { platform?: Platform; limit?: number; json?: boolean },
): Promise<number> {
  const platform = options.platform ?? 'console';
  const fetched = await fetchFeed(source, {}, config.fetch);
  if (fetched.status !== 200) throw new Error(`${source} answered 304 to an unconditional request`);
  const parsed = await parseFeed(fetched.body, 'preview');
  const posts = parsed.posts.slice(0, options.limit ?? parsed.posts.length);
  const items = posts.map((post) => ({ post, payload: announcementPayload(platform, post) }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
  } else if (platform === 'console') {
    process.stdout.write(items.map((item) => renderConsoleAnnouncement(item.post).text).join('\n\n') + '\n');
  } else {
    for (const item of items) process.stdout.write(`${JSON.stringify(item.payload, null, 2)}\n`);
  }
  for (const skipped of parsed.skipped) process.stderr.write(`skipped an item: ${JSON.stringify(skipped)}\n`);
  return 0;
}
