import { describe, expect, it } from 'vitest';
import { backoffDelay, failed, isBackingOff, succeeded } from '../../../src/feeds/backoff.js';
import { decodeBody } from '../../../src/feeds/decode.js';
import { FeedFetchError } from '../../../src/feeds/errors.js';
import { emptyFeedState } from '../../../src/feeds/feed-state-schema.js';

describe('decodeBody', () => {
  const xml = '<?xml version="1.0" encoding="ISO-8859-1"?><rss><title>Café</title></rss>';

  it('uses the Content-Type charset first', () => {
    expect(decodeBody(Buffer.from('Café', 'latin1'), 'text/xml; charset="iso-8859-1"')).toBe('Café');
  });

  it('falls back to the XML declaration, then UTF-8', () => {
    expect(decodeBody(Buffer.from(xml, 'latin1'), 'application/rss+xml')).toBe(xml);
    expect(decodeBody(Buffer.from('Café', 'utf8'), null)).toBe('Café');
  });

  it('honours a UTF-16 byte-order mark and survives an unknown charset', () => {
    expect(
      decodeBody(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<rss/>', 'utf16le')]), null),
    ).toBe('<rss/>');
    expect(decodeBody(Buffer.from('<rss/>'), 'text/xml; charset=klingon')).toBe('<rss/>');
  });
});

describe('feed backoff', () => {
  const now = new Date('2026-02-13T12:00:00Z');

  it('doubles the wait per consecutive failure up to the cap', () => {
    const policy = { baseMs: 1_000, maxMs: 5_000 };
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, policy))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('records a failure with its HTTP status, keeps the validators, and clears all on success', () => {
    const before = { ...emptyFeedState('psf'), etag: '"old"', consecutiveFailures: 1 };
    const error = new FeedFetchError('http', 'HTTP 500 from https://x/', 'https://x/', 500);
    const after = failed(before, error, 'feed psf: HTTP 500 from https://x/', now);
    expect(after).toMatchObject({
      lastStatus: 500,
      consecutiveFailures: 2,
      etag: '"old"',
      nextAttemptAt: '2026-02-13T12:02:00.000Z',
    });
    expect(isBackingOff(after, now)).toBe(true);
    expect(isBackingOff(after, new Date('2026-02-13T12:02:00Z'))).toBe(false);
    const fetched = {
      status: 304 as const,
      url: 'https://x/',
      redirected: false,
      etag: '"new"',
      lastModified: null,
    };
    expect(succeeded(after, fetched, now)).toMatchObject({
      consecutiveFailures: 0,
      nextAttemptAt: null,
      lastError: null,
      etag: '"new"',
    });
  });
});
