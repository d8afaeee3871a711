import { describe, expect, it } from 'vitest';
import { isLocalFeed, loadConfig } from '../../../src/config.js';
import { problemsOf } from '../../helpers/config-problems.js';

// Configuration problems are said in the operator's words, never the validation library's.

describe('configuration problems in plain words', () => {
  it.each([
    ['PORT', '99999', 'PORT must be a number from 1 to 65535, or 0 for any free port (got "99999")'],
    ['PORT', 'eighty', 'PORT must be a number from 1 to 65535, or 0 for any free port (got "eighty")'],
    ['DELIVERY_ATTEMPTS', '1.5', 'DELIVERY_ATTEMPTS must be a number from 1 to 50 (got "1.5")'],
    ['DISCORD_RATE_LIMIT', '0', 'DISCORD_RATE_LIMIT must be a number from 1 to 50 (got "0")'],
    ['FEED_MAX_BYTES', '-1', 'FEED_MAX_BYTES must be a number of bytes, at least 1 (got "-1")'],
    [
      'LOG_LEVEL',
      'loud',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ],
    ['DISCORD_MODE', 'ws', 'DISCORD_MODE must be one of gateway, http (got "ws")'],
  ])('%s=%s', (name, value, message) => {
    expect(problemsOf({ [name]: value })).toEqual([message]);
  });

  it('keeps the default for a blank number, as for a blank anything else', () => {
    expect(loadConfig({ PORT: '', DELIVERY_ATTEMPTS: ' ' })).toMatchObject({
      port: 3000,
      deliveryAttempts: 8,
    });
  });

  it.each(['POLL_INTERVAL', 'MAX_AGE', 'FETCH_TIMEOUT', 'SHUTDOWN_GRACE'])(
    '%s=0 must be positive',
    (name) => {
      expect(problemsOf({ [name]: '0' })).toEqual([`${name} must be positive, e.g. 30s or 5m (got "0")`]);
      expect(problemsOf({ [name]: '0s' })).toEqual([`${name} must be positive, e.g. 30s or 5m (got "0s")`]);
    },
  );

  it('polls a feed on the network no more often than every 30 seconds', () => {
    expect(problemsOf({ POLL_INTERVAL: '30s' })).toEqual([]);
    expect(problemsOf({ POLL_INTERVAL: '10s' })).toEqual([
      'POLL_INTERVAL must be at least 30s for a feed on the network (got "10s"; psf is at https://pyfound.blogspot.com/feeds/posts/default); only files and loopback URLs may be polled faster',
    ]);
    // Local files and loopback servers (tests, fixtures) may be polled faster.
    expect(problemsOf({ POLL_INTERVAL: '1s', PSF_FEEDS: 'a=./feed.xml,b=http://127.0.0.1:8080/f' })).toEqual(
      [],
    );
  });

  it('checks each feed URL scheme at start', () => {
    expect(problemsOf({ PSF_FEEDS: 'psf=ftp://example.org/feed,b=https://,c=htps://x.org/f' })).toEqual([
      'PSF_FEEDS: feed "psf": "ftp://example.org/feed" must be an http:// or https:// URL, or a file path (not ftp:)',
      'PSF_FEEDS: feed "b": "https://" is not a valid URL',
      'PSF_FEEDS: feed "c": "htps://x.org/f" must be an http:// or https:// URL, or a file path (not htps:)',
    ]);
    expect(problemsOf({ PSF_FEEDS: 'a=/srv/feed.xml,b=file:///srv/f.xml,c=https://x.org/f' })).toEqual([]);
  });

  it('never repeats the credentials or the query string of a feed URL in a problem', () => {
    const problems = [
      ...problemsOf({
        POLL_INTERVAL: '10s',
        PSF_FEEDS: 'psf=https://reader:hunter2@feeds.example/f?key=tok1',
      }),
      ...problemsOf({ PSF_FEEDS: 'a=ftp://reader:hunter2@feeds.example/f?key=tok1' }),
      ...problemsOf({ PSF_FEEDS: 'a=https://reader:hunter2@/f?key=tok1' }),
      ...problemsOf({ PSF_FEEDS: 'PSF=https://reader:hunter2@feeds.example/f?key=tok1' }),
    ];
    expect(problems).toHaveLength(4);
    for (const problem of problems) {
      expect(problem).not.toContain('hunter2');
      expect(problem).not.toContain('tok1');
    }
    expect(problems[0]).toContain('psf is at https://feeds.example/f)');
    expect(problems[1]).toContain('"ftp://feeds.example/f" must be an http:// or https:// URL');
  });

  it('tells local feeds from feeds on the network', () => {
    expect(
      ['./f.xml', '/srv/f.xml', 'file:///f.xml', 'http://localhost:3000/f', 'http://[::1]/f'].map(
        isLocalFeed,
      ),
    ).toEqual([true, true, true, true, true]);
    expect(isLocalFeed('https://pyfound.blogspot.com/feeds/posts/default')).toBe(false);
  });
});
