import { describe, expect, it } from 'vitest';
import { commandUsage, discordCommandDefinitions } from '../../../adapters/discord/commands.js';

interface Option {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  autocomplete?: boolean;
  choices?: { name: string; value: string }[];
  options?: Option[];
  min_value?: number;
  max_value?: number;
}

// https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-naming
const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function checkOptions(options: Option[], where: string): void {
  expect(options.length, where).toBeLessThanOrEqual(25);
  let optionalSeen = false;
  for (const option of options) {
    expect(option.name, where).toMatch(NAME);
    expect(option.name, where).toBe(option.name.toLowerCase());
    expect(option.description.length, `${where} ${option.name}`).toBeGreaterThanOrEqual(1);
    expect(option.description.length, `${where} ${option.name}`).toBeLessThanOrEqual(100);
    if (option.required)
      expect(optionalSeen, `${where}: required ${option.name} after an optional one`).toBe(false);
    else optionalSeen = true;
    if (option.autocomplete) expect(option.choices, `${where} ${option.name}`).toBeUndefined();
    if (option.options) checkOptions(option.options, `${where} ${option.name}`);
  }
}

describe('discordCommandDefinitions', () => {
  const [psf] = discordCommandDefinitions() as unknown as [
    { name: string; description: string; options: Option[] },
  ];

  it('defines /psf with the subcommands and option names of DESIGN §6', () => {
    expect(psf.name).toBe('psf');
    const shape = Object.fromEntries(
      psf.options.map((sub) => [sub.name, (sub.options ?? []).map((option) => option.name)]),
    );
    expect(shape).toEqual({
      latest: ['count', 'feed', 'share'],
      tag: ['tag', 'count', 'share'],
      tags: ['share'],
      search: ['query', 'share'],
      subscribe: ['channel', 'feed', 'tags', 'crosspost', 'role', 'thread', 'digest', 'template', 'style'],
      unsubscribe: ['channel', 'feed'],
      subscriptions: [],
      test: ['channel'],
      why: ['query', 'channel'],
      follow: ['feed', 'channel'],
      unfollow: ['feed', 'channel'],
      status: ['share'],
      help: ['topic', 'share'],
    });
    const tag = psf.options.find((sub) => sub.name === 'tag')!.options!;
    expect(tag[0]).toMatchObject({ name: 'tag', type: 3, required: true, autocomplete: true });
    expect(tag[1]).toMatchObject({ name: 'count', type: 4, min_value: 1, max_value: 10 });
    expect(tag[2]).toMatchObject({ name: 'share', type: 5 });
    const subscribe = psf.options.find((sub) => sub.name === 'subscribe')!.options!;
    // A channel option limited to text (0), announcement (5) and forum (15) channels; a role option.
    expect(subscribe[0]).toMatchObject({ name: 'channel', type: 7, channel_types: [0, 5, 15] });
    expect(subscribe[4]).toMatchObject({ name: 'role', type: 8 });
    expect(subscribe[5]).toMatchObject({ name: 'thread', type: 5 });
    // The template is free text up to the stored limit; the style offers Discord's two layouts only.
    expect(subscribe[7]).toMatchObject({ name: 'template', type: 3, max_length: 1000 });
    expect(subscribe[8]).toMatchObject({
      name: 'style',
      type: 3,
      choices: [
        { name: 'embed', value: 'embed' },
        { name: 'components', value: 'components' },
      ],
    });
  });

  it('describes each subcommand with its options for `discord register` to print', () => {
    const lines = commandUsage(discordCommandDefinitions() as { name: string; options?: unknown }[]);
    expect(lines).toContain(
      '  /psf subscribe [channel] [feed] [tags] [crosspost] [role] [thread] [digest] [template] [style]',
    );
    expect(lines).toContain('  /psf why query [channel]');
    expect(lines).toContain('  /psf test [channel]');
  });

  it('obeys Discord naming, description, ordering and count rules', () => {
    expect(psf.description.length).toBeLessThanOrEqual(100);
    checkOptions(psf.options, 'psf');
  });

  it("keeps the whole command within Discord's 8,000 characters of names, descriptions and choice values", () => {
    // "the combined sum of characters for all name, description, and value properties of a command and its
    // options (including subcommands and choices) can't exceed 8000":
    // https://discord.com/developers/docs/interactions/application-commands#application-command-object
    const feeds = Array.from(
      { length: 25 },
      (_, i) => `feed-name-of-32-characters-${String(i).padStart(5, '0')}`,
    );
    const [command] = discordCommandDefinitions({ feeds });
    const counted = (value: unknown): number => {
      if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + counted(item), 0);
      if (!value || typeof value !== 'object') return 0;
      return Object.entries(value).reduce((sum, [key, item]) => {
        if (['name', 'description', 'value'].includes(key) && typeof item === 'string')
          return sum + item.length;
        return sum + counted(item);
      }, 0);
    };
    expect(counted(command)).toBeLessThanOrEqual(8000);
    for (const sub of psf.options) expect((sub.options ?? []).length).toBeLessThanOrEqual(25);
  });

  it('offers configured feeds as choices', () => {
    const [withFeeds] = discordCommandDefinitions({ feeds: ['psf', 'insider'] }) as unknown as [
      { options: Option[] },
    ];
    const feed = withFeeds.options
      .find((sub) => sub.name === 'latest')!
      .options!.find((option) => option.name === 'feed');
    expect(feed?.choices).toEqual([
      { name: 'psf', value: 'psf' },
      { name: 'insider', value: 'insider' },
    ]);
  });
});
