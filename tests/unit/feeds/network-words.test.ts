import { describe, expect, it } from 'vitest';
import { networkChatReason, networkReason } from '../../../src/feeds/errors.js';

// One vocabulary for why a feed could not be reached: the log line (with the code to search for) and what
// `status` shows in a channel say the same words.
describe('network failures in plain words', () => {
  it.each([
    ['ENOTFOUND', 'name not resolved'],
    ['ECONNREFUSED', 'connection refused'],
    ['ETIMEDOUT', 'connection timed out'],
    ['EPIPE', 'connection closed'],
  ])('%s is "%s" in the log and in chat', (code, words) => {
    expect(networkReason(code)).toBe(`${words} (${code})`);
    expect(networkChatReason(code)).toBe(`cannot reach the feed: ${words}`);
  });

  it('keeps an unknown code as it is in the log, and says only what failed in chat', () => {
    expect(networkReason('EWHATEVER')).toBe('EWHATEVER');
    expect(networkChatReason('EWHATEVER')).toBe('cannot reach the feed');
    expect(networkChatReason('Z_DATA_ERROR')).toBe('the feed sent broken compressed data');
    expect(networkChatReason('ERR_TLS_CERT_ALTNAME_INVALID')).toBe(
      'cannot reach the feed: TLS certificate problem',
    );
  });
});
