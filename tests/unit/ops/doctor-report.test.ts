import { describe, expect, it } from 'vitest';
import { describeError, renderDoctorReport } from '../../../jobs/doctor/report.js';
import { parseInfo, versionLower } from '../../../jobs/doctor/redis.js';
import { discordBase } from '../../../jobs/doctor/http.js';

describe('doctor report', () => {
  it('prints one aligned line per check, the fix on the same line, and a summary', () => {
    const text = renderDoctorReport([
      { check: 'redis: reachable', ok: true, detail: 'redis://127.0.0.1:6379 answers' },
      {
        check: 'feed psf',
        ok: false,
        detail: 'HTTP 404 from https://e.org/feed',
        fix: 'fix the URL in PSF_FEEDS',
      },
    ]);
    expect(text.split('\n')).toEqual([
      'ok   redis: reachable  redis://127.0.0.1:6379 answers',
      'FAIL feed psf          HTTP 404 from https://e.org/feed — fix: fix the URL in PSF_FEEDS',
      '1 of 2 checks failed: see "fix:" above',
    ]);
  });

  it('says all passed when nothing failed', () => {
    expect(
      renderDoctorReport([{ check: 'x', ok: true, detail: 'fine' }])
        .split('\n')
        .at(-1),
    ).toBe('the 1 check passed');
  });

  it('shows the cause hidden behind fetch failed', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(describeError(new TypeError('fetch failed', { cause }))).toBe(
      'fetch failed: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:1',
    );
  });
});

describe('doctor helpers', () => {
  it('compares Redis versions numerically', () => {
    expect(versionLower('6.0.16', [6, 2, 0])).toBe(true);
    expect(versionLower('6.2.0', [6, 2, 0])).toBe(false);
    expect(versionLower('7.0.15', [6, 2, 0])).toBe(false);
    expect(versionLower('10.0.0', [6, 2, 0])).toBe(false);
    expect(versionLower('4.0.9', [5, 0, 0])).toBe(true);
  });

  it('reads INFO fields and skips section headers', () => {
    const info = parseInfo('# Server\r\nredis_version:7.2.4\r\nredis_mode:standalone\r\n');
    expect(info.get('redis_version')).toBe('7.2.4');
    expect(info.has('# Server')).toBe(false);
  });

  it('builds Discord URLs the way discord.js does, with or without a trailing slash', () => {
    expect(discordBase('https://discord.com/api')).toBe('https://discord.com/api/v10');
    expect(discordBase('http://127.0.0.1:5/api/')).toBe('http://127.0.0.1:5/api/v10');
  });
});
