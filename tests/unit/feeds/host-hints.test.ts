import { describe, expect, it } from 'vitest';
import { freshnessMs, HOST_DELAY_CAP_MS, retryAfterMs } from '../../../src/feeds/host-hints.js';

const NOW = new Date('2026-12-07T12:00:00Z');

describe('freshnessMs (Cache-Control max-age less Age)', () => {
  it('reads max-age among other directives, less the Age the answer already has', () => {
    expect(freshnessMs('public, max-age=300', undefined)).toBe(300_000);
    expect(freshnessMs('max-age=300, must-revalidate', '120')).toBe(180_000);
    expect(freshnessMs('MAX-AGE="60"', undefined)).toBe(60_000);
  });

  it('asks for nothing when the host says nothing usable', () => {
    for (const value of [undefined, '', 'public', 'max-age=', 'max-age=-5', 'max-age=1e9', 'max-age=abc'])
      expect(freshnessMs(value, undefined)).toBeNull();
    expect(freshnessMs('max-age=300, no-cache', undefined)).toBeNull();
    expect(freshnessMs('no-store, max-age=300', undefined)).toBeNull();
    expect(freshnessMs('s-maxage=300', undefined)).toBeNull();
    expect(freshnessMs('max-age=60', '90')).toBeNull();
  });

  it('never holds a feed back longer than a day', () => {
    expect(freshnessMs('max-age=9999999999', undefined)).toBe(HOST_DELAY_CAP_MS);
  });

  it('reads a hostile header in linear time', () => {
    const header = `${'x,'.repeat(500_000)}max-age=5`;
    expect(freshnessMs(header, undefined)).toBe(5_000);
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds and an HTTP date', () => {
    expect(retryAfterMs('120', NOW)).toBe(120_000);
    expect(retryAfterMs('Mon, 07 Dec 2026 12:10:00 GMT', NOW)).toBe(600_000);
  });

  it('ignores absent, past and malformed values, and caps the rest at a day', () => {
    for (const value of [undefined, '', '0', '-1', 'soon', 'Mon, 07 Dec 2026 11:00:00 GMT', '2026-12-08'])
      expect(retryAfterMs(value, NOW)).toBeNull();
    expect(retryAfterMs('999999', NOW)).toBe(HOST_DELAY_CAP_MS);
  });
});
