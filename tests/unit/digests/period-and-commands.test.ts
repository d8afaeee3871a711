import { describe, expect, it } from 'vitest';
import { parseCommandOptions, parseCommandText } from '../../../src/commands/parse.js';
import type { Reply } from '../../../src/commands/types.js';
import type { ConfigError } from '../../../src/config.js';
import { loadConfig } from '../../../src/config.js';
import { cronPattern, latestPeriod } from '../../../src/digests/period.js';
import { CommandCore } from '../../../src/commands/command-core.js';
import { ADMIN, makeCore } from '../commands/core-fixture.js';

const at = (iso: string) => new Date(iso);
const schedule = { hour: 15, minute: 0, weekday: 1 };

describe('digest periods', () => {
  it('are due at DIGEST_TIME each day: the boundary itself belongs to the day it ends', () => {
    expect(latestPeriod('daily', schedule, at('2026-12-01T15:00:00Z'))).toEqual({
      cadence: 'daily',
      key: 'daily-2026-12-01',
      end: at('2026-12-01T15:00:00Z'),
      start: at('2026-11-30T15:00:00Z'),
    });
    expect(latestPeriod('daily', schedule, at('2026-12-01T14:59:59.999Z')).key).toBe('daily-2026-11-30');
    expect(latestPeriod('daily', schedule, at('2026-12-02T00:30:00Z')).key).toBe('daily-2026-12-01');
  });

  it('are due weekly on DIGEST_WEEKDAY only, whatever day the clock reads', () => {
    // 2026-11-30 is a Monday.
    for (const now of ['2026-11-30T15:00:00Z', '2026-12-03T09:00:00Z', '2026-12-07T14:59:00Z']) {
      const period = latestPeriod('weekly', schedule, at(now));
      expect(period.key).toBe('weekly-2026-11-30');
      expect(period.end.getUTCDay()).toBe(1);
      expect(period.start).toEqual(at('2026-11-23T15:00:00Z'));
    }
    expect(latestPeriod('weekly', schedule, at('2026-11-30T14:00:00Z')).key).toBe('weekly-2026-11-23');
    expect(latestPeriod('weekly', { ...schedule, weekday: 0 }, at('2026-12-01T10:00:00Z')).key).toBe(
      'weekly-2026-11-29',
    );
  });

  it('become cron patterns in UTC for the job schedulers', () => {
    expect(cronPattern('daily', { hour: 7, minute: 5, weekday: 1 })).toBe('5 7 * * *');
    expect(cronPattern('weekly', { hour: 7, minute: 5, weekday: 5 })).toBe('5 7 * * 5');
  });

  it('are configured by DIGEST_TIME and DIGEST_WEEKDAY, with every mistake reported', () => {
    expect(loadConfig({}).digest).toEqual({ hour: 15, minute: 0, weekday: 1 });
    expect(loadConfig({ DIGEST_TIME: '06:30', DIGEST_WEEKDAY: 'Friday' }).digest).toEqual({
      hour: 6,
      minute: 30,
      weekday: 5,
    });
    let problems: string[] = [];
    try {
      loadConfig({ DIGEST_TIME: '25:00', DIGEST_WEEKDAY: 'someday' });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^DIGEST_TIME must be HH:MM in UTC/),
      expect.stringMatching(/^DIGEST_WEEKDAY must be a day name/),
    ]);
  });
});

describe('the digest option of subscribe', () => {
  const parsed = (text: string) => {
    const result = parseCommandText(text);
    return result.ok ? result.request : result.message;
  };

  it('reads `digest daily|weekly|off` anywhere after subscribe, on Slack and in ask', () => {
    expect(parsed('subscribe digest daily')).toEqual({ name: 'subscribe', digest: 'daily' });
    expect(parsed('subscribe psf grants digest Weekly')).toEqual({
      name: 'subscribe',
      tags: ['psf', 'grants'],
      digest: 'weekly',
    });
    expect(parsed('subscribe psf digest off grants')).toMatchObject({
      tags: ['psf', 'grants'],
      digest: 'off',
    });
    expect(parsed('subscribe digest hourly')).toBe('A digest is `daily`, `weekly` or `off`.');
    expect(parsed('subscribe psf digest')).toMatch(/Say which digest/);
  });

  it('reads the Discord choice, and only on subscribe', () => {
    expect(parseCommandOptions('subscribe', { digest: 'weekly' })).toEqual({
      ok: true,
      request: { name: 'subscribe', digest: 'weekly' },
    });
    expect(parseCommandOptions('latest', { digest: 'weekly' })).toEqual({
      ok: true,
      request: { name: 'latest', count: 5, share: false },
    });
  });

  it('switches a channel to a digest and back, keeping its feeds, tags and other options', async () => {
    const { core, subscriptions } = await makeCore([]);
    const text = (reply: Reply) => (reply.kind === 'text' ? reply.text : JSON.stringify(reply));
    await core.handle({ name: 'subscribe', feed: 'psf', tags: ['grants'], crosspost: true }, ADMIN);
    expect(
      text(await core.handle({ name: 'subscribe', feed: 'psf', tags: ['grants'], digest: 'daily' }, ADMIN)),
    ).toBe('This channel now gets posts from psf tagged grants, crossposted, as one daily digest message.');
    expect((await subscriptions.get(ADMIN))?.options).toEqual({ crosspost: true, digest: 'daily' });
    await core.handle({ name: 'subscribe', feed: 'psf', tags: ['grants'] }, ADMIN);
    expect((await subscriptions.get(ADMIN))?.options.digest).toBe('daily');
    await core.handle({ name: 'subscribe', feed: 'psf', tags: ['grants'], digest: 'off' }, ADMIN);
    expect((await subscriptions.get(ADMIN))?.options).toEqual({ crosspost: true });
    const help = await core.handle({ name: 'help', share: false }, ADMIN);
    expect(text(help)).toMatch(/digest daily/);
  });

  it('on `digest off` queues the posts held for the digest once, as one last digest, and says so', async () => {
    const { core: _core, ...deps } = await makeCore([]);
    const queued: { channelId: string; cadence: string }[] = [];
    const finalDigest = {
      queue: async (channel: { channelId: string }, cadence: 'daily' | 'weekly') => {
        queued.push({ channelId: channel.channelId, cadence });
      },
    };
    const core = new CommandCore({ ...deps, finalDigest });
    const text = (reply: Reply) => (reply.kind === 'text' ? reply.text : JSON.stringify(reply));
    await core.handle({ name: 'subscribe', feed: 'psf', digest: 'off' }, ADMIN);
    await core.handle({ name: 'subscribe', feed: 'psf', digest: 'weekly' }, ADMIN);
    expect(queued).toEqual([]);
    const off = text(await core.handle({ name: 'subscribe', feed: 'psf', digest: 'off' }, ADMIN));
    expect(off).toMatch(/since its last weekly digest come now, as one last digest/);
    expect(queued).toEqual([{ channelId: ADMIN.channelId, cadence: 'weekly' }]);
    await core.handle({ name: 'subscribe', feed: 'psf', digest: 'off' }, ADMIN);
    expect(queued).toHaveLength(1);
  });
});
