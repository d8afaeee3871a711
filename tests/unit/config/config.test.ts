import { describe, expect, it } from 'vitest';
import { loadConfig, parseDuration } from '../../../src/config.js';
import { problemsOf } from '../../helpers/config-problems.js';

describe('configuration', () => {
  it('runs on defaults that point at the real services with no platform enabled', () => {
    const config = loadConfig({});
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', explicit: false, prefix: 'psf' });
    expect(config.feeds).toEqual([
      {
        name: 'psf',
        url: 'https://pyfound.blogspot.com/feeds/posts/default',
        title: 'PSF blog',
        movedTo: 'https://pyfound.blogspot.com/rss.xml',
      },
    ]);
    expect(config.pollIntervalMs).toBe(60_000);
    expect(config.maxAgeMs).toBe(7 * 86_400_000);
    expect(config.port).toBe(3000);
    expect(config.discord).toBeUndefined();
    expect(config.slack).toBeUndefined();
    expect(config.logLevel).toBe('info');
  });

  it('reads durations in seconds, minutes, hours, days or milliseconds', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('1500')).toBe(1500);
    expect(parseDuration('soon')).toBeNull();
  });

  it('parses several named feeds, file paths included', () => {
    const config = loadConfig({ PSF_FEEDS: 'psf=https://example.test/feed, insider=./fixtures/insider.xml' });
    expect(config.feeds).toEqual([
      { name: 'psf', url: 'https://example.test/feed', title: 'PSF blog' },
      { name: 'insider', url: './fixtures/insider.xml', title: 'Python Insider' },
    ]);
  });

  it('knows the foundation’s feeds by bare name, mixed with name=url for any other', () => {
    const config = loadConfig({
      PSF_FEEDS: 'psf, insider,pypi,pycon,planet=https://planetpython.org/rss20.xml',
    });
    expect(config.feeds).toEqual([
      {
        name: 'psf',
        url: 'https://pyfound.blogspot.com/feeds/posts/default',
        title: 'PSF blog',
        movedTo: 'https://pyfound.blogspot.com/rss.xml',
      },
      { name: 'insider', url: 'https://blog.python.org/rss.xml', title: 'Python Insider' },
      { name: 'pypi', url: 'https://blog.pypi.org/feed_rss_created.xml', title: 'PyPI blog' },
      { name: 'pycon', url: 'https://pycon.blogspot.com/feeds/posts/default', title: 'PyCon US blog' },
      { name: 'planet', url: 'https://planetpython.org/rss20.xml' },
    ]);
    expect(problemsOf({ PSF_FEEDS: 'psf,planet' })).toEqual([
      'PSF_FEEDS: "planet" is not name=url (name: lowercase letters, digits, - or _) nor a known feed (psf, insider, pypi, pycon)',
    ]);
    expect(problemsOf({ PSF_FEEDS: 'psf,psf=https://a.test' })).toEqual([
      'PSF_FEEDS: feed "psf" is named twice',
    ]);
  });

  it('lists every problem at once, in plain words', () => {
    const problems = problemsOf({
      REDIS_URL: 'localhost:6379',
      PSF_FEEDS: 'psf=https://a.test,psf=https://b.test,nourl',
      POLL_INTERVAL: 'often',
      PORT: 'eighty',
      DISCORD_TOKEN: 'abc',
      DISCORD_MODE: 'http',
      SLACK_CLIENT_ID: 'id',
      LOG_LEVEL: 'loud',
    });
    const text = problems.join('\n');
    expect(text).toMatch(/REDIS_URL must start with redis:\/\//);
    expect(text).toMatch(/feed "psf" is named twice/);
    expect(text).toMatch(/"nourl" is not name=url/);
    expect(text).toMatch(/POLL_INTERVAL must look like 30s/);
    expect(text).toMatch(/PORT/);
    expect(text).toMatch(/DISCORD_APPLICATION_ID is not/);
    expect(text).toMatch(/DISCORD_MODE=http needs DISCORD_PUBLIC_KEY/);
    expect(text).toMatch(/SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET go together/);
    expect(text).toMatch(/LOG_LEVEL/);
    expect(problems.length).toBeGreaterThanOrEqual(9);
  });

  it('enables Discord and Slack only when their credentials are complete', () => {
    const config = loadConfig({
      DISCORD_TOKEN: 't',
      DISCORD_APPLICATION_ID: '123',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      SLACK_ADMIN_USERS: 'U1, U2',
    });
    expect(config.discord).toMatchObject({
      mode: 'gateway',
      apiUrl: 'https://discord.com/api',
      requestsPerSecond: 48,
    });
    expect(config.slack).toMatchObject({
      botToken: 'xoxb-1',
      adminUsers: ['U1', 'U2'],
      channelIntervalMs: 1000,
    });
  });

  it('reads subscriptions declared for one-channel deployments and checks their feeds', () => {
    const config = loadConfig({
      PSF_SUBSCRIPTIONS: 'slack:T1:C1:psf:grants+pycon us, console:local:console',
    });
    expect(config.subscriptions).toEqual([
      { platform: 'slack', workspaceId: 'T1', channelId: 'C1', feeds: ['psf'], tags: ['grants', 'pycon us'] },
      { platform: 'console', workspaceId: 'local', channelId: 'console', feeds: [], tags: [] },
    ]);
    expect(problemsOf({ PSF_SUBSCRIPTIONS: 'irc:x:y, slack:T1:C1:nosuchfeed' }).join('\n')).toMatch(
      /must start with discord:[\s\S]*names feed "nosuchfeed"/,
    );
  });
});
