import type { Post } from '../../src/posts/post.js';
import { PLACEHOLDERS } from '../../src/templates/template.js';
import { samplePost } from '../fakes/discord/posts.js';

/** Text a feed could carry to ping, format or flood: mentions of both platforms, markdown, a heading. */
export const HOSTILE_TEXT =
  '@everyone @here <@&123456789012345678> <@42> <!channel> <!here> <!subteam^S0123> <#C1> **bold** __u__ ~~s~~ `code` [link](https://evil.example) \n# heading\n-# small & <b>';

/** One hostile value in every text field, and URLs that try to break out of links. */
export function hostilePost(overrides: Partial<Post> = {}): Post {
  return samplePost({
    title: HOSTILE_TEXT,
    summary: HOSTILE_TEXT.repeat(3),
    author: HOSTILE_TEXT,
    tags: [HOSTILE_TEXT, '<!channel>', '@everyone'],
    feed: '<!channel>',
    url: 'https://evil.example/a_(b)*c*?q=<!channel>&x=|y',
    image: 'https://evil.example/i.png?<@&1>',
    ...overrides,
  });
}

/** A post whose title is 1 MB (and every other text field large), to prove nothing is rendered past a limit. */
export function megabytePost(): Post {
  return samplePost({
    title: `${'T'.repeat(500_000)} ${'🐍'.repeat(250_000)}`,
    summary: 'word '.repeat(200_000),
    author: 'A'.repeat(1_000_000),
    tags: Array.from({ length: 5_000 }, (_, i) => `tag ${i} ${'x'.repeat(200)}`),
    feed: 'f'.repeat(100_000),
  });
}

/** A template that shows every placeholder at once, each twice: plain and capped. */
export const EVERY_PLACEHOLDER = PLACEHOLDERS.map((name) => `${name}: {{${name}}} / {{${name}:50}}`).join(
  '\n',
);
