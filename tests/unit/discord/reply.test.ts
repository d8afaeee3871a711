import { describe, expect, it } from 'vitest';
import { renderDiscordReply } from '../../../adapters/discord/reply.js';
import { samplePost } from '../../fakes/discord/posts.js';
import { messageBodyProblems } from '../../fakes/discord/validate.js';

describe('renderDiscordReply', () => {
  it('renders posts as embeds under a heading, privately by default', () => {
    const data = renderDiscordReply(
      {
        kind: 'posts',
        heading: 'Latest 2 posts',
        posts: [samplePost(), samplePost({ id: 'b', title: 'Second' })],
      },
      { ephemeral: true },
    );
    expect(data.content).toBe('**Latest 2 posts**');
    expect(data.flags).toBe(64);
    expect(data.allowed_mentions).toEqual({ parse: [] });
    expect(data.embeds?.map((embed) => embed.title)).toEqual(['PSF Grants Program 2026 Update', 'Second']);
    expect(data.embeds?.[0]?.footer?.text).toBe('psf · Grants, PSF');
  });

  it('shares in the channel without the ephemeral flag', () => {
    const data = renderDiscordReply({ kind: 'text', text: 'hello' }, { ephemeral: false });
    expect(data).toEqual({ content: 'hello', allowed_mentions: { parse: [] } });
  });

  it('keeps ten long posts within 10 embeds and the 6000-character total', () => {
    const long = 'Word '.repeat(2000);
    const posts = Array.from({ length: 12 }, (_, i) =>
      samplePost({ id: String(i), title: `T${i} ${long}`, summary: long }),
    );
    const data = renderDiscordReply({ kind: 'posts', heading: 'Many', posts }, { ephemeral: true });
    expect(data.embeds).toHaveLength(10);
    expect(messageBodyProblems(data)).toEqual([]);
  });

  it('lists suggestions when nothing matched, as code spans that cannot break out', () => {
    const data = renderDiscordReply(
      { kind: 'posts', heading: 'No posts tagged “grnts”', posts: [], suggestions: ['grants', 'gr`ant'] },
      { ephemeral: true },
    );
    expect(data.content).toBe("**No posts tagged “grnts”**\nClosest tags: `grants`, `gr'ant`");
    expect(data.embeds).toBeUndefined();
  });

  it('moves text longer than message content into an embed', () => {
    const data = renderDiscordReply({ kind: 'text', text: 'x '.repeat(1500) }, { ephemeral: true });
    expect(data.content).toBeUndefined();
    expect(data.embeds?.[0]?.description?.length).toBeLessThanOrEqual(4096);
    expect(messageBodyProblems(data)).toEqual([]);
  });

  it('shows errors as a warning line, without pings', () => {
    const data = renderDiscordReply(
      { kind: 'error', message: 'Unknown feed “@everyone”.' },
      { ephemeral: true },
    );
    expect(data).toEqual({
      content: '⚠️ Unknown feed “@everyone”.',
      flags: 64,
      allowed_mentions: { parse: [] },
    });
  });
});

describe("the fake's Discord body validator", () => {
  it('catches what Discord would refuse, so the limit tests can fail', () => {
    expect(messageBodyProblems({ content: 'x'.repeat(2001) })).toHaveLength(1);
    expect(messageBodyProblems({ embeds: [{ title: 'x'.repeat(257) }] })).toHaveLength(1);
    expect(messageBodyProblems({ embeds: Array.from({ length: 11 }, () => ({ title: 't' })) })).toHaveLength(
      1,
    );
    const big = { description: 'x'.repeat(4000) };
    expect(messageBodyProblems({ embeds: [big, big] })).toEqual(['embeds total 8000 > 6000']);
    expect(
      messageBodyProblems({ embeds: [{ url: 'javascript:x', fields: [{ name: 'a', value: '' }] }] }),
    ).toHaveLength(2);
  });
});
