import type { Announcer, Delivered, DeliveryTarget } from '../../src/delivery/announcer.js';
import { digestMoreLine, digestSummaryLine, digestTitle, type Digest } from '../../src/digests/digest.js';
import type { Post } from '../../src/posts/post.js';
import { capWords, renderTemplate, type TemplateFormat } from '../../src/templates/render.js';

/** Where console announcements go: stdout in a local run, a buffer in tests. */
export interface TextSink {
  write(chunk: string): unknown;
}

/** The console "payload" of an announcement (docs/cli.md `preview --json`: `{ "text": "…" }`). */
export interface ConsoleAnnouncement {
  text: string;
}

// Feed text is untrusted: terminal control sequences (ESC, BEL, C1) could rewrite the operator's screen.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function clean(text: string): string {
  return text.replace(CONTROL, '').trim();
}

/** A terminal shows text as it is: only control sequences go, and the ISO date stands for `{{date}}`. */
const CONSOLE_TEMPLATE_FORMAT: TemplateFormat = {
  literal: (text, max) => capWords(text.replace(CONTROL, ''), max),
  text: (value, max) => capWords(clean(value), max),
  url: (value) => clean(value),
  date: (iso) => iso.slice(0, 10),
};

/** The longest template line a console announcement shows. */
const TEMPLATE_LIMIT = 2000;

/**
 * Renders a post as a few readable lines: the subscription's template (when it has one), title, link, byline
 * with date and tags, summary.
 */
export function renderConsoleAnnouncement(
  post: Post,
  options: { template?: string | undefined } = {},
): ConsoleAnnouncement {
  const template = renderTemplate(options.template, post, CONSOLE_TEMPLATE_FORMAT, TEMPLATE_LIMIT);
  const byline = [
    post.author ? `by ${clean(post.author)}` : null,
    post.publishedAt ? post.publishedAt.slice(0, 10) : null,
    post.tags.length > 0 ? `tags: ${post.tags.map(clean).join(', ')}` : null,
  ].filter((part): part is string => part !== null && part !== '');
  const lines = [
    template,
    `📣 ${clean(post.title) || '(untitled)'}`,
    post.url ? `   ${clean(post.url)}` : null,
    byline.length > 0 ? `   ${byline.join(' · ')}` : null,
    post.summary ? `   ${clean(post.summary).replace(/\s*\n\s*/g, ' ')}` : null,
  ];
  return { text: lines.filter((line): line is string => line !== null).join('\n') };
}

/** Renders a digest: its title, one line per post (title, date, tags, link), then "and N more". */
export function renderConsoleDigest(digest: Digest): ConsoleAnnouncement {
  const lines = digest.posts.map((post) => {
    const details = [
      post.publishedAt ? post.publishedAt.slice(0, 10) : null,
      post.tags.length > 0 ? post.tags.map(clean).join(', ') : null,
    ].filter((part): part is string => part !== null && part !== '');
    const head = `• ${clean(post.title) || '(untitled)'}${details.length > 0 ? ` (${details.join(' · ')})` : ''}`;
    return post.url ? `${head}\n  ${clean(post.url)}` : head;
  });
  const more = digestMoreLine(digest);
  return {
    text: [
      `🗞 ${digestTitle(digest)}: ${digestSummaryLine(digest)}`,
      ...lines,
      ...(more ? [`…${more}`] : []),
    ].join('\n'),
  };
}

/** The console platform's `Announcer`: writes each announcement, headed by its channel, to a text sink. */
export class ConsoleAnnouncer implements Announcer {
  readonly platform = 'console' as const;

  constructor(private readonly out: TextSink) {}

  async announce(post: Post, target: DeliveryTarget, nonce: string): Promise<Delivered> {
    const { text } = renderConsoleAnnouncement(post, target.options);
    this.out.write(`[${clean(target.workspaceId)}/#${clean(target.channelId)}]\n${text}\n\n`);
    return { messageId: `console-${nonce}` };
  }

  async sendDigest(digest: Digest, target: DeliveryTarget, nonce: string): Promise<Delivered> {
    const { text } = renderConsoleDigest(digest);
    this.out.write(`[${clean(target.workspaceId)}/#${clean(target.channelId)}]\n${text}\n\n`);
    return { messageId: `console-${nonce}` };
  }
}
