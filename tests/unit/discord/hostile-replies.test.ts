import { describe, expect, it } from 'vitest';
import { postEmbed } from '../../../adapters/discord/embeds.js';
import { renderDiscordReply } from '../../../adapters/discord/reply.js';
import { renderSlackAnnouncement } from '../../../adapters/slack/announcement.js';
import { renderSlackReply } from '../../../adapters/slack/reply.js';
import type { Reply } from '../../../src/commands/types.js';
import { makePost } from '../../helpers/delivery-fixtures.js';
import { MEMBER, makeCore } from '../commands/core-fixture.js';

// Issue 12 §3 and §4: text replies put raw feed labels, last errors and the user's own query into Discord
// `content`, and over-long URLs were sent to be refused.
const PHISH = '[Claim PyCon grant](https://evil.example/phish)';
const unescapedMaskedLink = /(?<!\\)\[[^\]]*(?<!\\)\]\(/;

function discordText(reply: Reply): string {
  const data = renderDiscordReply(reply, { ephemeral: true });
  return [data.content ?? '', ...(data.embeds ?? []).map((embed) => embed.description ?? '')].join('\n');
}

describe('Discord text replies are escaped like announcements', () => {
  it('escapes a feed label in `tags`', async () => {
    const { core } = await makeCore([makePost(1, { tags: [PHISH, '**bold** <@&123>'] })]);
    const text = discordText(await core.handle({ name: 'tags', share: true }, MEMBER));
    expect(text).toContain('Claim PyCon grant');
    expect(text).not.toMatch(unescapedMaskedLink);
    expect(text).not.toMatch(/(?<!\\)\*\*bold/);
    expect(text).toContain('\\<@&123\\>');
    // The core's own command names still read as code.
    expect(text).toContain('`tag <name>`');
  });

  it("escapes a feed's last error in `status`", async () => {
    const { core, feedStates } = await makeCore([]);
    await feedStates.save({
      feed: 'psf',
      lastStatus: 'error',
      lastAttemptAt: '2026-03-01T11:50:00.000Z',
      lastSuccessAt: null,
      consecutiveFailures: 1,
      nextAttemptAt: null,
      lastError: `the feed said ${PHISH}`,
      etag: null,
      lastModified: null,
      resolvedUrl: null,
    });
    const text = discordText(await core.handle({ name: 'status', share: true }, MEMBER));
    expect(text).toContain('Claim PyCon grant');
    expect(text).not.toMatch(unescapedMaskedLink);
  });

  it('escapes the query echoed by a search that found nothing', async () => {
    const { core } = await makeCore([makePost(1)]);
    const reply = await core.handle({ name: 'search', query: `zzqqxx ${PHISH}`, share: true }, MEMBER);
    expect(reply.kind).toBe('text');
    expect(discordText(reply)).not.toMatch(unescapedMaskedLink);
    expect(renderSlackReply(reply, { share: true }).text).not.toContain('<https://evil');
  });

  it('escapes an error that echoes what the user typed', () => {
    const text = discordText({ kind: 'error', message: `No feed named "${PHISH}".` });
    expect(text).not.toMatch(unescapedMaskedLink);
  });

  it('keeps a code span from untrusted text inert: Discord shows it literally', () => {
    const text = discordText({ kind: 'text', text: `Nothing found for “\`${PHISH}\`”.` });
    expect(text).toContain(`\`${PHISH}\``);
  });
});

describe('URLs that do not fit a platform are dropped, never sent to fail', () => {
  const long = `https://pyfound.blogspot.com/${'a'.repeat(3100)}.html`;

  it('leaves an embed without url or thumbnail when they are over 2,048 characters', () => {
    const embed = postEmbed(makePost(1, { url: long, image: long }));
    expect(embed.url).toBeUndefined();
    expect(embed.thumbnail).toBeUndefined();
    expect(postEmbed(makePost(1)).url).toBe(makePost(1).url);
  });

  it('lists a post with a 3,000-character URL in a Slack answer, unlinked', () => {
    const reply: Reply = {
      kind: 'posts',
      heading: 'Latest',
      posts: [makePost(1, { url: long }), makePost(2)],
    };
    const body = renderSlackReply(reply, { share: false });
    for (const block of body.blocks ?? []) {
      if (block.type === 'section') expect(block.text?.text.length).toBeLessThanOrEqual(3000);
    }
    expect(JSON.stringify(body)).not.toContain('aaaaaaaaaa');
    expect(JSON.stringify(body)).toContain(makePost(2).url);
  });

  it('keeps ten long links in one Slack answer within the block budget', () => {
    const posts = Array.from({ length: 10 }, (_, i) =>
      makePost(i, { url: `https://example.org/${i}/${'b'.repeat(1900)}` }),
    );
    const body = renderSlackReply({ kind: 'posts', heading: 'Latest', posts }, { share: false });
    const text = (body.blocks ?? []).map((block) => JSON.stringify(block)).join('');
    expect(text.length).toBeLessThan(13_000);
  });

  it('sends a Slack announcement without the button or the URL when the URL is over 3,000 characters', () => {
    const message = renderSlackAnnouncement(makePost(1, { url: long }));
    expect(message.blocks.some((block) => block.type === 'actions')).toBe(false);
    expect(message.text).not.toContain('aaaaaaaaaa');
  });
});
