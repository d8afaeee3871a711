import { describe, expect, it } from 'vitest';
import { newestByDate } from '../../../jobs/doctor/feeds.js';
import { fail, pass, renderDoctorReport, unknown, warn } from '../../../jobs/doctor/report.js';

// `doctor` says things right: the newest post by date, plurals, warnings and unknowns apart from failures.

describe('doctor wording', () => {
  it('calls newest the post published last, wherever the feed lists it', () => {
    const posts = [
      { title: 'edited, moved up', publishedAt: '2026-01-02T00:00:00Z' },
      { title: 'newest', publishedAt: '2026-03-01T00:00:00Z' },
      { title: 'undated', publishedAt: null },
    ];
    expect(newestByDate(posts)?.title).toBe('newest');
    expect(newestByDate([])).toBeUndefined();
  });

  it('counts in words that agree with the number', () => {
    const last = (checks: Parameters<typeof renderDoctorReport>[0]) =>
      renderDoctorReport(checks).split('\n').at(-1);
    expect(last([pass('a', 'fine')])).toBe('the 1 check passed');
    expect(last([pass('a', 'fine'), pass('b', 'fine')])).toBe('all 2 checks passed');
    expect(last([fail('a', 'broken', 'mend it')])).toBe('1 of 1 check failed: see "fix:" above');
    expect(last([pass('a', 'fine'), warn('b', 'no AOF', 'turn it on'), unknown('c', 'Redis is down')])).toBe(
      'all 3 checks passed (1 warning, 1 could not be checked)',
    );
  });

  it('marks a warning WARN and an unknown "?", saying unknown', () => {
    const lines = renderDoctorReport([warn('w', 'caveat', 'do this'), unknown('u', 'Redis is down')]).split(
      '\n',
    );
    expect(lines[0]).toBe('WARN w  caveat — fix: do this');
    expect(lines[1]).toBe('?    u  unknown: Redis is down');
  });
});

describe('doctor fixes follow the failure', () => {
  it('Redis: credentials, an unresolved host, silence, or no Redis at all each get their own fix', async () => {
    const { redisFix } = await import('../../../jobs/doctor/redis.js');
    expect(redisFix('NOAUTH Authentication required')).toMatch(/password in REDIS_URL/);
    expect(redisFix('getaddrinfo ENOTFOUND redis.internal')).toMatch(/does not resolve/);
    expect(redisFix('connect ETIMEDOUT 10.0.0.1:6379')).toMatch(/firewall/);
    expect(redisFix('connect ECONNREFUSED 127.0.0.1:6379')).toMatch(/start Redis/);
  });
});
