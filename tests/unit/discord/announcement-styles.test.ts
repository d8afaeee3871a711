import { describe, expect, it } from 'vitest';
import { renderDiscordAnnouncement, renderDiscordEdit } from '../../../adapters/discord/announcement.js';
import type { Post } from '../../../src/posts/post.js';
import { MESSAGE_OPERATIONS, openApiProblems } from '../../fakes/discord/openapi.js';
import { samplePost } from '../../fakes/discord/posts.js';
import { IS_COMPONENTS_V2, messageBodyProblems } from '../../fakes/discord/validate.js';
import { archivePage, ARCHIVE_STARTS, ARCHIVE_TOTAL, readFixture } from '../../helpers/fixtures.js';
import { EVERY_PLACEHOLDER, hostilePost, megabytePost } from '../../helpers/hostile-posts.js';
import { parseFeed } from '../../../src/feeds/parse.js';

const ROLE = '123456789012345678';

type Component = { type: number; content?: string; components?: Component[]; accessory?: Component } & Record<
  string,
  unknown
>;

/** Every text a reader sees: content, embed texts, and each TextDisplay of a Components V2 message. */
function texts(body: ReturnType<typeof renderDiscordAnnouncement>): string[] {
  const out = [body.content ?? ''];
  for (const embed of body.embeds ?? [])
    out.push(embed.title ?? '', embed.description ?? '', ...(embed.fields ?? []).map((field) => field.value));
  const visit = (component: Component) => {
    if (component.content) out.push(component.content);
    (component.components ?? []).forEach(visit);
    if (component.accessory) visit(component.accessory);
  };
  ((body.components ?? []) as Component[]).forEach(visit);
  return out;
}

/** Valid for Discord's OpenAPI description and its documented limits, as a create and as an edit. */
function expectValid(post: Post, options: Parameters<typeof renderDiscordAnnouncement>[1]) {
  const body = renderDiscordAnnouncement(post, options);
  expect(openApiProblems(MESSAGE_OPERATIONS.create, { ...body, nonce: 'n', enforce_nonce: true })).toEqual(
    [],
  );
  expect(messageBodyProblems(body)).toEqual([]);
  const edit = renderDiscordEdit(post, options);
  expect(openApiProblems(MESSAGE_OPERATIONS.edit, edit)).toEqual([]);
  expect(messageBodyProblems(edit)).toEqual([]);
  return body;
}

describe('Discord announcement styles and templates', () => {
  it('keeps the embed style by default, and puts the template text in content above the embed', () => {
    expect(renderDiscordAnnouncement(samplePost(), {})).toEqual(renderDiscordAnnouncement(samplePost()));
    const body = expectValid(samplePost(), { template: 'New from {{feed}}: {{title}} by {{author||feed}}' });
    expect(body.content).toBe('New from psf: PSF Grants Program 2026 Update by Laura Graves');
    expect(body.embeds).toHaveLength(1);
    expect(body.flags).toBeUndefined();
    const mentioned = expectValid(samplePost(), { template: '{{date}}', mentionRoleId: ROLE });
    expect(mentioned.content).toBe(`<@&${ROLE}>\n<t:1770744600:D>`);
    expect(mentioned.allowed_mentions).toEqual({ parse: [], roles: [ROLE] });
  });

  it('renders Components V2: a blue container, heading, thumbnail, subtext and a "Read on" link button', () => {
    const body = expectValid(samplePost(), { style: 'components', template: '**{{feed}}** news' });
    expect(body.flags).toBe(IS_COMPONENTS_V2);
    expect(body.content).toBeUndefined();
    expect(body.embeds).toBeUndefined();
    expect(body.allowed_mentions).toEqual({ parse: [] });
    const [container] = body.components as Component[];
    expect(container).toMatchObject({ type: 17, accent_color: 0x3776ab });
    const [template, section, meta, separator, row] = container!.components!;
    expect(template).toEqual({ type: 10, content: '**psf** news' });
    expect(section).toMatchObject({
      type: 9,
      components: [
        { type: 10, content: '## PSF Grants Program 2026 Update' },
        { type: 10, content: samplePost().summary },
      ],
      accessory: { type: 11, media: { url: 'https://blogger.googleusercontent.com/img/b/grants.png' } },
    });
    expect(meta).toEqual({ type: 10, content: '-# <t:1770744600:D> · Grants, PSF · psf' });
    expect(separator).toMatchObject({ type: 14 });
    expect(row).toEqual({
      type: 1,
      components: [
        {
          type: 2,
          style: 5,
          label: 'Read on pyfound.blogspot.com',
          url: 'https://pyfound.blogspot.com/2026/02/grants-update.html',
        },
      ],
    });
  });

  it('puts a role mention in its own text above the container (content stays empty)', () => {
    const body = expectValid(samplePost({ image: null, url: null }), {
      style: 'components',
      mentionRoleId: ROLE,
    });
    const [mention, container] = body.components as Component[];
    expect(mention).toEqual({ type: 10, content: `<@&${ROLE}>` });
    // Without an image there is no Section (it needs an accessory); without a URL no button.
    expect(container!.components!.map((component) => component.type)).toEqual([10, 10, 10]);
    expect(body.allowed_mentions).toEqual({ parse: [], roles: [ROLE] });
  });

  it('edits a Components V2 message with the flag and components only, never content or embeds', () => {
    const edit = renderDiscordEdit(samplePost(), { style: 'components', template: '{{title}}' });
    expect(edit.flags).toBe(IS_COMPONENTS_V2);
    expect(Object.keys(edit).sort()).toEqual(['allowed_mentions', 'components', 'flags']);
    const embedEdit = renderDiscordEdit(samplePost(), {});
    expect(embedEdit.content).toBe('');
    expect(embedEdit.flags).toBeUndefined();
  });

  for (const style of ['embed', 'components'] as const) {
    it(`escapes hostile feed text in every placeholder and pings no one (${style})`, () => {
      const body = expectValid(hostilePost(), { style, template: EVERY_PLACEHOLDER });
      expect(body.allowed_mentions).toEqual({ parse: [] });
      for (const text of texts(body)) {
        // Every `<` is escaped except Discord's own timestamp markup the bot wrote for {{date}}.
        // The heading and subtext markers at the start are the bot's own layout.
        const rest = text.replace(/<t:\d+:D>/g, '').replace(/^(## |-# )/, '');
        expect(rest).not.toMatch(/(?<!\\)</);
        expect(rest).not.toMatch(/(?<!\\)\*\*bold/);
        expect(rest).not.toMatch(/^#/m);
      }
    });

    it(`keeps a 1 MB title and a flood of tags within every limit (${style})`, () => {
      const body = expectValid(megabytePost(), {
        style,
        template: `${EVERY_PLACEHOLDER}\n{{title}}{{title}}`,
      });
      expect(JSON.stringify(body).length).toBeLessThan(20_000);
    });
  }

  it('renders every post of the 733-post archive validly in both styles with a template', async () => {
    const template = '{{title}} · {{summary:200}} · {{author||feed}} · {{date}} · {{tags||text::untagged}}';
    let count = 0;
    for (const start of ARCHIVE_STARTS) {
      const { posts } = await parseFeed(readFixture(archivePage(start)), 'psf');
      for (const post of posts) {
        for (const style of ['embed', 'components'] as const) {
          const body = renderDiscordAnnouncement(post, { style, template });
          const problems = [
            ...openApiProblems(MESSAGE_OPERATIONS.create, body),
            ...messageBodyProblems(body),
          ];
          expect(problems, post.url ?? post.id).toEqual([]);
        }
        count += 1;
      }
    }
    expect(count).toBe(ARCHIVE_TOTAL);
  }, 60_000);
});
