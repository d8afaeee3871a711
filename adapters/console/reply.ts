import type { Reply } from '../../src/commands/types.js';
import { renderConsoleAnnouncement, type ConsoleAnnouncement } from './console-announcer.js';

/** Renders a neutral reply for a terminal: the heading, then each post as its announcement would read. */
export function renderConsoleReply(reply: Reply): ConsoleAnnouncement {
  switch (reply.kind) {
    case 'posts': {
      const parts = [reply.heading, ...reply.posts.map((post) => renderConsoleAnnouncement(post).text)];
      if (reply.suggestions && reply.suggestions.length > 0)
        parts.push(`Closest tags: ${reply.suggestions.join(', ')}`);
      return { text: parts.join('\n\n') };
    }
    case 'text':
      return { text: reply.text };
    case 'error':
      return { text: `error: ${reply.message}` };
  }
}
