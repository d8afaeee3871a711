import { describe, expect, it } from 'vitest';
import { argumentValue, splitArguments } from '../../../src/commands/arguments.js';
import { parseCommandOptions, parseCommandText } from '../../../src/commands/parse.js';
import type { CommandRequest, ParsedCommand } from '../../../src/commands/types.js';
import { PLACEHOLDERS, templateProblem } from '../../../src/templates/template.js';
import { ADMIN, MEMBER, makeCore } from './core-fixture.js';

function request(parsed: ParsedCommand): CommandRequest & Record<string, unknown> {
  if (!parsed.ok) throw new Error(`expected a request, got: ${parsed.message}`);
  return parsed.request as CommandRequest & Record<string, unknown>;
}

function refusal(parsed: ParsedCommand): string {
  if (parsed.ok) throw new Error(`expected a refusal, got ${JSON.stringify(parsed.request)}`);
  return parsed.message;
}

describe('quoted arguments', () => {
  it('keeps a quoted span, with its quotes, in one word; escaped quotes do not close it', () => {
    expect(splitArguments('subscribe psf template "New: {{title}}"  style card')).toEqual([
      'subscribe',
      'psf',
      'template',
      '"New: {{title}}"',
      'style',
      'card',
    ]);
    expect(splitArguments('a "say \\"hi\\" now" b')).toEqual(['a', '"say \\"hi\\" now"', 'b']);
    expect(splitArguments('tag:"PyCon US" grants')).toEqual(['tag:"PyCon US"', 'grants']);
    expect(splitArguments('x “curly quotes here” y')).toEqual(['x', '“curly quotes here”', 'y']);
    expect(splitArguments('open "never closed here')).toEqual(['open', '"never closed here']);
    expect(splitArguments('  ')).toEqual([]);
  });

  it('reads a word’s value without its quotes and escapes; null for a quote never closed', () => {
    expect(argumentValue('"say \\"hi\\" \\\\ now"')).toBe('say "hi" \\ now');
    expect(argumentValue('“curly”')).toBe('curly');
    expect(argumentValue('plain')).toBe('plain');
    expect(argumentValue('"never closed')).toBeNull();
    expect(argumentValue('"')).toBeNull();
    expect(argumentValue('""')).toBe('');
  });

  it('splits a long run of quotes and backslashes in one pass', () => {
    const text = `${'"\\'.repeat(100_000)} end`;
    expect(splitArguments(text).length).toBeLessThanOrEqual(2);
  });
});

describe('subscribe template and style', () => {
  it('reads `template "<text>"`, `template none` and `style` from Slack and ask', () => {
    const parsed = request(
      parseCommandText(
        'subscribe psf grants template "New on {{feed}}: {{title}} by {{author||feed}}" style card',
      ),
    );
    // Feeds and tags are one list the command core tells apart; the option words come out whole.
    expect(parsed).toMatchObject({
      name: 'subscribe',
      tags: ['psf', 'grants'],
      template: 'New on {{feed}}: {{title}} by {{author||feed}}',
      style: 'card',
    });
    expect(request(parseCommandText('subscribe template none')).template).toBeNull();
    expect(request(parseCommandText('subscribe template {{title}}')).template).toBe('{{title}}');
    expect(request(parseCommandText('subscribe template “Read: {{link}}”')).template).toBe('Read: {{link}}');
    // Quotes still keep a tag phrase together, as before.
    expect(request(parseCommandText('subscribe psf "PyCon US" grants')).tags).toContain('pycon us');
  });

  it('refuses an unknown placeholder with the known ones, an unclosed quote and an unknown style', () => {
    const unknown = refusal(parseCommandText('subscribe template "{{headline}} now"'));
    expect(unknown).toContain('Unknown placeholder `{{headline}}`');
    expect(unknown).toContain('{{summary}}');
    expect(refusal(parseCommandText('subscribe template "{{title}}'))).toContain('double quotes');
    expect(refusal(parseCommandText('subscribe template'))).toContain('double quotes');
    expect(refusal(parseCommandText('subscribe template ""'))).toContain('empty');
    expect(refusal(parseCommandText('subscribe style fancy'))).toContain('`components`');
    expect(refusal(parseCommandText('subscribe style'))).toContain('Say which style');
  });

  it('lets a template be long while the rest of the command stays within 200 characters', () => {
    const long = `{{title}} ${'x'.repeat(900)}`;
    expect(request(parseCommandText(`subscribe psf template "${long}"`)).template).toBe(long);
    expect(refusal(parseCommandText(`subscribe ${'a'.repeat(200)} template "{{title}}"`))).toMatch(
      /too long/,
    );
    expect(refusal(parseCommandText(`search ${'a'.repeat(400)}`))).toMatch(/too long/);
    expect(refusal(parseCommandText(`subscribe template "${'x'.repeat(1001)}"`))).toMatch(/1000/);
  });

  it('reads Discord’s template and style options, only on subscribe', () => {
    const long = `{{summary:200}} ${'y'.repeat(500)}`;
    expect(request(parseCommandOptions('subscribe', { template: long, style: 'Components' }))).toMatchObject({
      template: long,
      style: 'components',
    });
    expect(request(parseCommandOptions('subscribe', { template: 'none' })).template).toBeNull();
    expect(refusal(parseCommandOptions('subscribe', { template: '{{nope}}' }))).toContain('{{title}}');
    expect(request(parseCommandOptions('latest', { style: 'card', template: 'x' }))).not.toHaveProperty(
      'style',
    );
  });

  it('stores the template and a style of this platform, refuses another platform’s style, clears with none', async () => {
    const { core, subscriptions } = await makeCore([]);
    const channel = { platform: 'slack' as const, workspaceId: 'T1', channelId: 'C1' };
    const set = await core.handle(
      { name: 'subscribe', template: '{{title}} by {{author||feed}}', style: 'card' },
      ADMIN,
    );
    expect(set).toMatchObject({ kind: 'text' });
    expect((set as { text: string }).text).toContain(
      'in the card style, with the template “{{title}} by {{author||feed}}”',
    );
    expect((await subscriptions.get(channel))?.options).toMatchObject({
      template: '{{title}} by {{author||feed}}',
      style: 'card',
    });
    const refused = await core.handle({ name: 'subscribe', style: 'components' }, ADMIN);
    expect(refused).toEqual({ kind: 'error', message: 'On Slack the style is `blocks` or `card`.' });
    await core.handle({ name: 'subscribe', template: null }, ADMIN);
    const options = (await subscriptions.get(channel))?.options;
    expect(options).not.toHaveProperty('template');
    expect(options).toMatchObject({ style: 'card' });
  });
});

describe('help subscribe', () => {
  it('lists every placeholder and three example templates, each of which parses', async () => {
    const { core } = await makeCore([]);
    const parsed = request(parseCommandText('help subscribe'));
    const reply = await core.handle(parsed, MEMBER);
    const text = (reply as { text: string }).text;
    for (const name of PLACEHOLDERS) expect(text).toContain(`{{${name}}}`);
    const examples = [...text.matchAll(/`template "([^"]+)"`/g)].map((match) => match[1]!);
    expect(examples).toHaveLength(3);
    for (const example of examples) expect(templateProblem(example)).toBeNull();
    expect(text).toContain('style embed|components');
    // `help` itself stays short and points here.
    const help = (await core.handle({ name: 'help', share: false }, MEMBER)) as { text: string };
    expect(help.text).toContain('`help subscribe`');
    expect(request(parseCommandText('help me'))).toEqual({ name: 'help', share: false });
  });
});
