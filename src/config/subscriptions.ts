import type { Platform } from '../posts/post.js';
import { splitTags } from '../posts/tags.js';

/** A subscription declared in config (`PSF_SUBSCRIPTIONS`), for one-channel deployments. */
export interface DeclaredSubscription {
  platform: Platform;
  workspaceId: string;
  channelId: string;
  feeds: string[];
  tags: string[];
}

/** Parses `platform:workspace:channel[:feed,feed[:tag,tag]]` entries, comma-separated (`+` or spaces also separate feeds and tags). */
export function parseDeclaredSubscriptions(text: string): {
  subscriptions: DeclaredSubscription[];
  problems: string[];
} {
  const subscriptions: DeclaredSubscription[] = [];
  const problems: string[] = [];
  // Entries are comma-separated, and so may be feeds and tags: only a piece with platform:workspace:channel
  // starts an entry; any other continues the entry before (`discord:1:2:psf,insider:grants,pycon`).
  const entries: string[] = [];
  for (const part of text
    .split(',')
    .map((piece) => piece.trim())
    .filter(Boolean)) {
    if (!/^[^:]*:[^:]*:/.test(part) && entries.length > 0) entries[entries.length - 1] += `,${part}`;
    else entries.push(part);
  }
  for (const entry of entries) {
    const [platform, workspaceId, channelId, feeds = '', tags = ''] = entry
      .split(':')
      .map((part) => part.trim());
    if (platform !== 'discord' && platform !== 'slack' && platform !== 'console') {
      problems.push(`"${entry}" must start with discord:, slack: or console:`);
    } else if (!workspaceId || !channelId) {
      problems.push(`"${entry}" is not platform:workspace:channel[:feeds[:tags]]`);
    } else {
      subscriptions.push({
        platform,
        workspaceId,
        channelId,
        feeds: splitTags(feeds),
        tags: splitTags(tags),
      });
    }
  }
  return { subscriptions, problems };
}
