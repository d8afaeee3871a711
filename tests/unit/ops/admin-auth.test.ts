import { describe, expect, it } from 'vitest';
import { basicAuthPassword, tokenMatches } from '../../../jobs/web/admin.js';
import { checkReadiness } from '../../../jobs/web/readiness.js';

const header = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('basic auth parsing', () => {
  it('takes everything after the first colon as the password, whatever the user name', () => {
    expect(basicAuthPassword(header('admin:s3cret'))).toBe('s3cret');
    expect(basicAuthPassword(header(':s3cret'))).toBe('s3cret');
    expect(basicAuthPassword(header('ops:pass:with:colons'))).toBe('pass:with:colons');
  });

  it('finds no password in a missing, non-basic or colon-less header', () => {
    expect(basicAuthPassword(undefined)).toBeNull();
    expect(basicAuthPassword('Bearer abc')).toBeNull();
    expect(basicAuthPassword(header('no-colon'))).toBeNull();
  });
});

describe('token comparison', () => {
  it('accepts only the exact token', () => {
    expect(tokenMatches('token-123', 'token-123')).toBe(true);
    expect(tokenMatches('token-12', 'token-123')).toBe(false);
    expect(tokenMatches('token-1234', 'token-123')).toBe(false);
    expect(tokenMatches('', 'token-123')).toBe(false);
  });
});

describe('readiness', () => {
  it('is ready with no checks at all', async () => {
    expect(await checkReadiness({})).toEqual({ ready: true, checks: {}, failing: [] });
  });

  it('reports each failing check by name and keeps the passing ones as ok', async () => {
    const report = await checkReadiness({
      redis: async () => true,
      workers: async () => 'poll worker is closing',
    });
    expect(report).toEqual({
      ready: false,
      checks: { redis: 'ok', workers: 'poll worker is closing' },
      failing: ['workers'],
    });
  });
});
