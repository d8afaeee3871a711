import { describe, expect, it } from 'vitest';
import { parseCommandOptions, parseCommandText } from '../../../src/commands/parse.js';
import type { CommandRequest, ParsedCommand } from '../../../src/commands/types.js';

function request(parsed: ParsedCommand): CommandRequest {
  if (!parsed.ok) throw new Error(`expected a request, got: ${parsed.message}`);
  return parsed.request;
}

function refusal(parsed: ParsedCommand): string {
  if (parsed.ok) throw new Error(`expected a refusal, got ${JSON.stringify(parsed.request)}`);
  return parsed.message;
}

describe('parseCommandText', () => {
  it.each([
    ['latest', { name: 'latest', count: 5, share: false }],
    ['latest 3', { name: 'latest', count: 3, share: false }],
    ['/psf latest 3', { name: 'latest', count: 3, share: false }],
    ['  LATEST   10  ', { name: 'latest', count: 10, share: false }],
    ['latest 3 psf', { name: 'latest', count: 3, feed: 'psf', share: false }],
    ['latest psf 3', { name: 'latest', count: 3, feed: 'psf', share: false }],
    ['latest Insider', { name: 'latest', count: 5, feed: 'insider', share: false }],
    ['/psf tag grants', { name: 'tag', tag: 'grants', count: 5, share: false }],
    ['tag board of directors 3', { name: 'tag', tag: 'board of directors', count: 3, share: false }],
    ['tag "Board of Directors"', { name: 'tag', tag: 'Board of Directors', count: 5, share: false }],
    ['tag 2024', { name: 'tag', tag: '2024', count: 5, share: false }],
    ['tags', { name: 'tags', share: false }],
    ['search python packaging', { name: 'search', query: 'python packaging', share: false }],
    ['search serach pycn', { name: 'search', query: 'serach pycn', share: false }],
    ['status', { name: 'status', share: false }],
    ['help', { name: 'help', share: false }],
    ['help tag', { name: 'help', share: false }],
    ['', { name: 'help', share: false }],
    ['/psf', { name: 'help', share: false }],
  ])('reads %j', (text, expected) => {
    expect(request(parseCommandText(text))).toEqual(expected);
  });

  it('makes a lookup public with a trailing "share" word or --share anywhere', () => {
    expect(request(parseCommandText('latest 3 share'))).toEqual({ name: 'latest', count: 3, share: true });
    expect(request(parseCommandText('--share tag grants 2'))).toEqual({
      name: 'tag',
      tag: 'grants',
      count: 2,
      share: true,
    });
    expect(request(parseCommandText('search pycon --share'))).toEqual({
      name: 'search',
      query: 'pycon',
      share: true,
    });
    expect(request(parseCommandText('tags SHARE'))).toEqual({ name: 'tags', share: true });
    expect(request(parseCommandText('search share price'))).toEqual({
      name: 'search',
      query: 'share price',
      share: false,
    });
  });

  it('reads subscription commands with normalised, de-duplicated comma-separated tags', () => {
    // No tags written: the filter is left as it is (changing one option keeps the others).
    expect(request(parseCommandText('subscribe'))).toEqual({ name: 'subscribe' });
    // Feeds and tags come as one list: the command core, which knows the feeds, tells them apart.
    expect(request(parseCommandText('subscribe psf'))).toEqual({ name: 'subscribe', tags: ['psf'] });
    expect(request(parseCommandText('subscribe psf pypi tag:grants'))).toEqual({
      name: 'subscribe',
      tags: ['psf', 'pypi', 'tag:grants'],
    });
    expect(request(parseCommandText('subscribe psf grants,pycon'))).toEqual({
      name: 'subscribe',
      tags: ['psf grants', 'pycon'],
    });
    expect(request(parseCommandText('subscribe PSF Board-of-Directors, PyCon US ,grants,GRANTS,'))).toEqual({
      name: 'subscribe',
      tags: ['psf board of directors', 'pycon us', 'grants'],
    });
    expect(request(parseCommandText('unsubscribe'))).toEqual({ name: 'unsubscribe' });
    expect(request(parseCommandText('unsubscribe psf'))).toEqual({ name: 'unsubscribe', feed: 'psf' });
    expect(request(parseCommandText('subscriptions'))).toEqual({ name: 'subscriptions' });
  });

  it('reads excluded tags, `*` (every post), and `mention @group|none` on Slack', () => {
    expect(request(parseCommandText('subscribe psf pycon, -Sponsors, -sponsors'))).toEqual({
      name: 'subscribe',
      tags: ['psf pycon'],
      excludedTags: ['sponsors'],
    });
    expect(request(parseCommandText('subscribe -sponsors'))).toEqual({
      name: 'subscribe',
      tags: [],
      excludedTags: ['sponsors'],
    });
    expect(request(parseCommandText('subscribe psf *'))).toEqual({ name: 'subscribe', tags: ['psf', '*'] });
    expect(request(parseCommandText('subscribe psf grants mention <!subteam^S0PSF|@psf-news>'))).toEqual({
      name: 'subscribe',
      tags: ['psf', 'grants'],
      mention: 'S0PSF',
    });
    expect(request(parseCommandText('subscribe mention @psf-news'))).toEqual({
      name: 'subscribe',
      mention: '@psf-news',
    });
    expect(request(parseCommandText('subscribe mention none'))).toEqual({ name: 'subscribe', mention: null });
    expect(refusal(parseCommandText('subscribe mention'))).toMatch(/Mention whom/);
    expect(refusal(parseCommandText('subscribe mention <!channel>'))).toMatch(/user group/);
  });

  it('reads Discord role, thread and the `why` query; `test` takes nothing', () => {
    expect(
      request(
        parseCommandOptions('subscribe', {
          role: '700000000000000555',
          thread: true,
          tags: 'pycon, -sponsors',
        }),
      ),
    ).toEqual({
      name: 'subscribe',
      mention: '700000000000000555',
      thread: true,
      tags: ['pycon'],
      excludedTags: ['sponsors'],
    });
    expect(request(parseCommandOptions('why', { query: 'PyCon US 2025' }))).toEqual({
      name: 'why',
      query: 'PyCon US 2025',
    });
    expect(refusal(parseCommandOptions('why', {}))).toMatch(/Why what/);
    expect(request(parseCommandText('test'))).toEqual({ name: 'test' });
    expect(request(parseCommandText('why "Python 3.14 released"'))).toEqual({
      name: 'why',
      query: 'Python 3.14 released',
    });
  });

  it('refuses counts out of range with a clear message', () => {
    expect(refusal(parseCommandText('latest 0'))).toMatch(/1 to 10/);
    expect(refusal(parseCommandText('latest 11'))).toMatch(/11 is out of range: ask for 1 to 10/);
    expect(refusal(parseCommandText('latest -2'))).toMatch(/1 to 10/);
    expect(refusal(parseCommandText('latest 2.5'))).toMatch(/whole number from 1 to 10/);
    expect(refusal(parseCommandText('tag grants 0'))).toMatch(/1 to 10/);
    expect(refusal(parseCommandText('tag pycon 2024'))).toMatch(/tag pycon 2024 5/);
  });

  it('refuses malformed lookups with a pointer to the right form', () => {
    expect(refusal(parseCommandText('tag'))).toMatch(/Which tag\?.*tag grants/);
    expect(refusal(parseCommandText('tag ""'))).toMatch(/Which tag\?/);
    expect(refusal(parseCommandText('tag ---'))).toMatch(/Which tag\?/);
    expect(refusal(parseCommandText('search'))).toMatch(/Search for what\?/);
    expect(refusal(parseCommandText('search share'))).toMatch(/Search for what\?/);
    expect(refusal(parseCommandText('latest 3 4'))).toMatch(/latest \[count\] \[feed\]/);
    expect(refusal(parseCommandText('latest psf insider'))).toMatch(/latest \[count\] \[feed\]/);
    expect(refusal(parseCommandText('latest ps:f'))).toMatch(/not a feed name/);
    expect(refusal(parseCommandText('tags grants'))).toMatch(/send `tag grants`/);
    expect(refusal(parseCommandText('status now'))).toMatch(/takes no arguments/);
    expect(refusal(parseCommandText('unsubscribe psf insider'))).toMatch(/one feed at a time/);
  });

  it('points unknown subcommands at help, with the closest command when there is one', () => {
    expect(refusal(parseCommandText('serach pycn'))).toBe(
      'Unknown command “serach”. Did you mean `search`? Send `help` to see the commands.',
    );
    expect(refusal(parseCommandText('/psf lates'))).toMatch(/Did you mean `latest`\?/);
    expect(refusal(parseCommandText('frobnicate'))).toBe(
      'Unknown command “frobnicate”. Send `help` to see the commands.',
    );
  });

  it('refuses input over 200 characters', () => {
    expect(refusal(parseCommandText(`search ${'a'.repeat(200)}`))).toMatch(/too long/);
    expect(parseCommandText(`search ${'a'.repeat(193)}`).ok).toBe(true);
  });

  it('never throws, whatever it is given', () => {
    const samples: unknown[] = [
      null,
      undefined,
      42,
      {},
      '\u0000',
      '/psf /psf',
      'tag \u202e\u200b',
      '🐍 🐍',
      'latest NaN',
      'latest 1e3',
    ];
    for (let i = 0; i < 500; i += 1) {
      samples.push(
        Array.from({ length: i % 40 }, (_, j) => String.fromCharCode(((i * 31 + j * 17) % 120) + 1)).join(''),
      );
    }
    for (const sample of samples) {
      const parsed = parseCommandText(sample as string);
      expect(typeof parsed.ok).toBe('boolean');
      if (!parsed.ok) expect(parsed.message.length).toBeGreaterThan(0);
    }
  });
});

describe('parseCommandOptions', () => {
  it('reads Discord options for every subcommand', () => {
    expect(request(parseCommandOptions('latest', {}))).toEqual({ name: 'latest', count: 5, share: false });
    expect(request(parseCommandOptions('latest', { count: 3, feed: 'psf', share: true }))).toEqual({
      name: 'latest',
      count: 3,
      feed: 'psf',
      share: true,
    });
    expect(request(parseCommandOptions('tag', { tag: 'Board of Directors', count: 2 }))).toEqual({
      name: 'tag',
      tag: 'Board of Directors',
      count: 2,
      share: false,
    });
    expect(request(parseCommandOptions('tags', { share: true }))).toEqual({ name: 'tags', share: true });
    expect(request(parseCommandOptions('search', { query: 'python packaging' }))).toEqual({
      name: 'search',
      query: 'python packaging',
      share: false,
    });
    expect(request(parseCommandOptions('subscribe', { feed: 'psf', tags: 'grants, PyCon' }))).toEqual({
      name: 'subscribe',
      feed: 'psf',
      tags: ['grants', 'pycon'],
    });
    expect(request(parseCommandOptions('subscribe', { share: true }))).toEqual({ name: 'subscribe' });
    expect(request(parseCommandOptions('subscribe', { crosspost: true }))).toEqual({
      name: 'subscribe',
      crosspost: true,
    });
    expect(request(parseCommandOptions('latest', { crosspost: true }))).toEqual({
      name: 'latest',
      count: 5,
      share: false,
    });
    expect(request(parseCommandOptions('unsubscribe', { feed: 'psf' }))).toEqual({
      name: 'unsubscribe',
      feed: 'psf',
    });
    expect(request(parseCommandOptions('subscriptions', {}))).toEqual({ name: 'subscriptions' });
    expect(request(parseCommandOptions('status', {}))).toEqual({ name: 'status', share: false });
    expect(request(parseCommandOptions('help', { share: false }))).toEqual({ name: 'help', share: false });
  });

  it('refuses bad options with the same messages as text', () => {
    expect(refusal(parseCommandOptions('latest', { count: 0 }))).toMatch(/1 to 10/);
    expect(refusal(parseCommandOptions('latest', { count: 42 }))).toMatch(/42 is out of range/);
    expect(refusal(parseCommandOptions('latest', { count: 1.5 }))).toMatch(/whole number/);
    expect(refusal(parseCommandOptions('tag', {}))).toMatch(/Which tag\?/);
    expect(refusal(parseCommandOptions('tag', { tag: '   ' }))).toMatch(/Which tag\?/);
    expect(refusal(parseCommandOptions('search', { query: '' }))).toMatch(/Search for what\?/);
    expect(refusal(parseCommandOptions('nope', {}))).toMatch(/Unknown command “nope”.*help/);
    expect(refusal(parseCommandOptions('search', { query: 'x'.repeat(201) }))).toMatch(/too long/);
  });

  it('accepts numbers and booleans sent as text', () => {
    expect(request(parseCommandOptions('latest', { count: '4', share: 'true' }))).toEqual({
      name: 'latest',
      count: 4,
      share: true,
    });
  });

  it('never throws on odd options', () => {
    const odd: unknown[] = [
      undefined,
      null,
      { count: 'abc' },
      { tag: 5 },
      { share: 'maybe' },
      { count: Number.NaN },
    ];
    for (const options of odd) {
      for (const name of ['latest', 'tag', 'search', 'subscribe', '', null]) {
        const parsed = parseCommandOptions(name as string, options as Record<string, string>);
        expect(typeof parsed.ok).toBe('boolean');
      }
    }
  });
});
