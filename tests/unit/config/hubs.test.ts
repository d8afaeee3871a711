import { describe, expect, it } from 'vitest';
import { parseHubChannels } from '../../../src/config/hubs.js';

const A = '123456789012345678';
const B = '223456789012345678';

describe('DISCORD_HUB_CHANNELS', () => {
  it('reads feed:<channel id> entries, comma-separated, spaces ignored', () => {
    expect(parseHubChannels(` psf:${A} , insider : ${B},`)).toEqual({
      hubs: [
        { feed: 'psf', channelId: A },
        { feed: 'insider', channelId: B },
      ],
      problems: [],
    });
    expect(parseHubChannels('')).toEqual({ hubs: [], problems: [] });
  });

  it('names each entry that is not feed:<channel id>', () => {
    const { hubs, problems } = parseHubChannels(`psf,:${A},psf:,psf:${A}:extra`);
    expect(hubs).toEqual([]);
    expect(problems).toEqual([
      '"psf" is not feed:<channel id>',
      `":${A}" is not feed:<channel id>`,
      '"psf:" is not feed:<channel id>',
      `"psf:${A}:extra" is not feed:<channel id>`,
    ]);
  });

  it('refuses a channel id that is not a Discord id (17–20 digits)', () => {
    const { hubs, problems } = parseHubChannels('psf:news,insider:1234,grants:123456789012345678901');
    expect(hubs).toEqual([]);
    expect(problems).toHaveLength(3);
    for (const problem of problems)
      expect(problem).toMatch(/the channel id must be a Discord id \(17–20 digits\)/);
  });

  it('keeps one hub per feed and names the second', () => {
    const { hubs, problems } = parseHubChannels(`psf:${A},psf:${B}`);
    expect(hubs).toEqual([{ feed: 'psf', channelId: A }]);
    expect(problems).toEqual(['feed "psf" has more than one hub: one announcement channel per feed']);
  });
});
