import { describe, expect, it } from 'vitest';
import { capWords, renderTemplate, type TemplateFormat } from '../../../src/templates/render.js';
import { PLACEHOLDERS, parseTemplate, templateProblem } from '../../../src/templates/template.js';
import { samplePost } from '../../fakes/discord/posts.js';

/** A format that marks what it did, so each test sees which function wrote which piece. */
const MARKING: TemplateFormat = {
  literal: (text, max) => text.slice(0, max),
  text: (value, max) => `[${value}]`.slice(0, max),
  url: (value) => `<${value}>`,
  date: (iso) => `date(${iso.slice(0, 10)})`,
};

const render = (template: string, post = samplePost(), limit = 4000) =>
  renderTemplate(template, post, MARKING, limit);

describe('announcement templates', () => {
  it('fills each placeholder from the post', () => {
    const post = samplePost();
    expect(render('{{title}}')).toBe('[PSF Grants Program 2026 Update]');
    expect(render('{{summary}}')).toBe(`[${post.summary}]`);
    expect(render('{{link}}')).toBe('<https://pyfound.blogspot.com/2026/02/grants-update.html>');
    expect(render('{{author}}')).toBe('[Laura Graves]');
    expect(render('{{date}}')).toBe('date(2026-02-10)');
    expect(render('{{tags}}')).toBe('[Grants, PSF]');
    expect(render('{{feed}}')).toBe('[psf]');
    expect(render('{{image}}')).toBe('<https://blogger.googleusercontent.com/img/b/grants.png>');
    expect(render('New: {{ Title }} ({{FEED}})')).toBe('New: [PSF Grants Program 2026 Update] ([psf])');
  });

  it('falls back to the next choice, and to literal text, when a value is missing', () => {
    const bare = samplePost({
      author: null,
      tags: [],
      image: null,
      url: null,
      publishedAt: null,
      updatedAt: null,
    });
    expect(render('by {{author||feed}}', bare)).toBe('by [psf]');
    expect(render('by {{author||text::the PSF}}', bare)).toBe('by the PSF');
    expect(render('{{tags||image||text::untagged}}', bare)).toBe('untagged');
    expect(render('{{link||text::no link}} {{date||text::undated}}', bare)).toBe('no link undated');
    expect(render('by {{author||feed}}')).toBe('by [Laura Graves]');
    // A slot with nothing to show renders nothing; a template that renders nothing gives no text at all.
    expect(render('{{image}}', bare)).toBeNull();
    expect(render(' {{author}} ', bare)).toBeNull();
    expect(render('', bare)).toBeNull();
  });

  it('caps a value on a word boundary with an ellipsis', () => {
    const post = samplePost({ summary: 'The PSF Grants Program reopens with a new budget for applicants.' });
    expect(render('{{summary:30}}', post)).toBe('[The PSF Grants Program…]');
    expect(render('{{summary:500}}', post)).toBe(`[${post.summary}]`);
    expect(capWords('unbroken'.repeat(10), 12)).toBe('unbrokenunb…');
    expect(capWords('ab🐍🐍🐍', 5)).toBe('ab🐍…');
    expect(capWords('ab🐍🐍', 4)).toBe('ab…');
    expect(render('{{author:4||feed}}')).toBe('[Lau…]');
    expect(render('{{author:8||feed}}')).toBe('[Laura…]');
  });

  it('refuses an unknown placeholder, naming every known one', () => {
    const problem = templateProblem('Hello {{titel}}');
    expect(problem).toContain('Unknown placeholder `{{titel}}`');
    for (const name of PLACEHOLDERS) expect(problem).toContain(`{{${name}}}`);
    expect(templateProblem('{{author||nobody}}')).toContain('`{{nobody}}`');
    expect(templateProblem('{{}}')).toContain('empty placeholder');
    expect(templateProblem('{{title')).toContain('never closed');
    expect(templateProblem('{{summary:0}}')).toContain('whole number from 1 to 4000');
    expect(templateProblem('{{summary:lots}}')).toContain('whole number');
    expect(templateProblem('x'.repeat(1001))).toContain('at most 1000');
    expect(templateProblem('{{title}} {{summary:200}} {{author||feed||text::the PSF}}')).toBeNull();
    expect(parseTemplate('a }} b').ok).toBe(true);
  });

  it('never renders past the limit, keeping whole tokens whole', () => {
    const out = render('{{date}} {{title}} {{title}} {{title}}', samplePost(), 40);
    expect(out!.length).toBeLessThanOrEqual(40);
    expect(out!.startsWith('date(2026-02-10) [PSF')).toBe(true);
    // A URL that does not fit is left out, never cut into a broken link.
    expect(render('{{title}}{{link}}', samplePost(), 40)).toBe('[PSF Grants Program 2026 Update]');
  });

  it('renders a 1 MB value, a thousand-slot template and a flood of braces in bounded work', () => {
    const post = samplePost({ title: 'x'.repeat(1_000_000), summary: '{{'.repeat(500_000) });
    let calls = 0;
    let longest = 0;
    const counting: TemplateFormat = {
      ...MARKING,
      text: (value, max) => {
        calls += 1;
        longest = Math.max(longest, value.length);
        return value.slice(0, max);
      },
    };
    const template = '{{title}}'.repeat(111);
    expect(templateProblem(template)).toBeNull();
    const out = renderTemplate(template, post, counting, 2000);
    expect(out!.length).toBe(2000);
    // Each value is at most 4,001 characters before the format sees it, and rendering stops at the limit.
    expect(longest).toBeLessThanOrEqual(4001);
    expect(calls).toBeLessThan(111);
    expect(render('{{summary}}', post, 100)!.length).toBeLessThanOrEqual(100);
    expect(templateProblem('{{'.repeat(500))).toContain('never closed');
  });
});
