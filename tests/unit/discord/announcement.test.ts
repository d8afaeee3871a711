import { describe, expect, it } from 'vitest';
import { renderDiscordAnnouncement } from '../../../adapters/discord/announcement.js';
import { escapeMarkdown, truncate } from '../../../adapters/discord/limits.js';
import { samplePost } from '../../fakes/discord/posts.js';
import { messageBodyProblems } from '../../fakes/discord/validate.js';

describe('renderDiscordAnnouncement', () => {
  it('renders one embed: title linked, summary, author, timestamp, tags, thumbnail', () => {
    const body = renderDiscordAnnouncement(samplePost());
    expect(body.content).toBeUndefined();
    expect(body.embeds).toHaveLength(1);
    expect(body.embeds![0]).toMatchObject({
      title: 'PSF Grants Program 2026 Update',
      url: 'https://pyfound.blogspot.com/2026/02/grants-update.html',
      description: 'The PSF Grants Program reopens with a new budget. Here is what changes for applicants.',
      author: { name: 'Laura Graves' },
      timestamp: '2026-02-10T17:30:00.000Z',
      fields: [{ name: 'Tags', value: 'Grants, PSF', inline: true }],
      footer: { text: 'psf' },
      thumbnail: { url: 'https://blogger.googleusercontent.com/img/b/grants.png' },
    });
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(messageBodyProblems(body)).toEqual([]);
  });

  it('pings no one for a feed item containing @everyone, @here or a role mention', () => {
    const post = samplePost({
      title: '@everyone <@&123> read this',
      summary: 'Hello @here and <@&123456789012345678> and <@42>.',
      author: '@everyone',
      tags: ['<@&123>', '@everyone'],
    });
    const body = renderDiscordAnnouncement(post);
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.content).toBeUndefined();
    // Embeds never ping, and the mention syntax is escaped so it shows as text rather than a role chip.
    expect(body.embeds![0]!.description).toBe('Hello @here and \\<@&123456789012345678\\> and \\<@42\\>.');
    expect(body.embeds![0]!.title).toBe('@everyone \\<@&123\\> read this');
  });

  it('mentions a role only when the subscription opts in, and allows exactly that role', () => {
    const body = renderDiscordAnnouncement(samplePost(), { mentionRoleId: '123456789012345678' });
    expect(body.content).toBe('<@&123456789012345678>');
    expect(body.allowed_mentions).toEqual({ parse: [], roles: ['123456789012345678'] });
    const bogus = renderDiscordAnnouncement(samplePost(), { mentionRoleId: 'everyone' });
    expect(bogus.content).toBeUndefined();
    expect(bogus.allowed_mentions).toEqual({ parse: [] });
  });

  it('keeps every embed limit with oversized fields, cutting safely with an ellipsis', () => {
    const huge = (unit: string, times: number) => unit.repeat(times);
    const post = samplePost({
      title: huge('Pythön 🐍 ', 100),
      summary: huge('A sentence about the foundation. ', 400),
      author: huge('Author ', 100),
      tags: Array.from({ length: 400 }, (_, i) => `tag number ${i}`),
      feed: 'psf',
    });
    const body = renderDiscordAnnouncement(post);
    const embed = body.embeds![0]!;
    expect(messageBodyProblems(body)).toEqual([]);
    expect(embed.title!.length).toBeLessThanOrEqual(256);
    expect(embed.title!.endsWith('…')).toBe(true);
    expect(embed.description!.length).toBeLessThanOrEqual(4096);
    expect(embed.fields![0]!.value).toMatch(/\+\d+ more$/);
    expect(embed.author!.name.length).toBeLessThanOrEqual(256);
  });

  it('leaves out what Discord would reject: non-http URLs, bad dates, blank authors', () => {
    const body = renderDiscordAnnouncement(
      samplePost({
        url: 'javascript:alert(1)',
        image: 'not a url',
        publishedAt: 'yesterday',
        updatedAt: null,
        author: ' ',
        tags: [],
      }),
    );
    const embed = body.embeds![0]!;
    expect(embed.url).toBeUndefined();
    expect(embed.thumbnail).toBeUndefined();
    expect(embed.timestamp).toBeUndefined();
    expect(embed.author).toBeUndefined();
    expect(embed.fields).toBeUndefined();
    expect(messageBodyProblems(body)).toEqual([]);
  });

  it('gives an untitled post a title, since an embed title cannot be blank', () => {
    expect(renderDiscordAnnouncement(samplePost({ title: '   ' })).embeds![0]!.title).toBe('Untitled post');
  });
});

describe('text helpers', () => {
  it('never splits a surrogate pair and never ends on a lone escape', () => {
    const cut = truncate('🐍'.repeat(10), 6);
    expect(cut.length).toBeLessThanOrEqual(6);
    expect(cut).toBe('🐍🐍…');
    expect(truncate('ab\\*cd', 4)).toBe('ab…');
    expect(truncate('short', 10)).toBe('short');
  });

  it('escapes markdown and masked links but keeps URLs intact', () => {
    expect(escapeMarkdown('[click](https://evil.example/a_b) **bold** __init__')).toBe(
      '\\[click\\](https://evil.example/a_b) \\*\\*bold\\*\\* \\_\\_init\\_\\_',
    );
    expect(escapeMarkdown('# Heading\n- item\n1. first')).toBe('\\# Heading\n\\- item\n1\\. first');
  });
});
