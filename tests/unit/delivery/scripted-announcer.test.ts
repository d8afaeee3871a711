import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import { MemoryDeliveryCounters } from '../../../src/delivery/counters.js';
import { MemoryDeliveryLedger } from '../../../src/delivery/ledger.js';
import { ScriptedAnnouncer } from '../../../src/delivery/scripted-announcer.js';
import { makePost } from '../../helpers/delivery-fixtures.js';

const target = (channelId: string) => ({ workspaceId: 'w', channelId, options: {} });
const post = makePost(1);

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return error instanceof DeliveryError
      ? `${error.kind}${error.retryAfterMs ? `:${error.retryAfterMs}` : ''}`
      : 'plain';
  }
}

describe('the scripted platform', () => {
  it('fails the next N calls on cue, then accepts', async () => {
    const announcer = new ScriptedAnnouncer('discord').failNext(2, {
      kind: 'rate_limited',
      retryAfterMs: 1500,
    });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await outcome(announcer.announce(post, target('a'), 'n')));
    expect(results).toEqual(['rate_limited:1500', 'rate_limited:1500', 'accepted']);
    expect(announcer.sent).toHaveLength(1);
  });

  it('fails one channel only, a number of times or for ever', async () => {
    const announcer = new ScriptedAnnouncer('slack')
      .failChannel('a', { kind: 'transient' }, 1)
      .failChannel('b', { kind: 'permanent', code: 'is_archived' })
      .failChannel('c', { kind: 'unclassified' }, 1);
    const results = [];
    for (const channel of ['a', 'a', 'b', 'b', 'c', 'c', 'd'])
      results.push(await outcome(announcer.announce(post, target(channel), 'n')));
    expect(results).toEqual([
      'transient',
      'accepted',
      'permanent',
      'permanent',
      'plain',
      'accepted',
      'accepted',
    ]);
    expect(announcer.sent.map((s) => s.target.channelId)).toEqual(['a', 'c', 'd']);
    expect(announcer.calls).toHaveLength(7);
  });
});

describe('counters and the memory ledger', () => {
  it('counts per platform and outcome', () => {
    const counters = new MemoryDeliveryCounters();
    counters.increment('discord', 'delivered');
    counters.increment('discord', 'delivered');
    counters.increment('slack', 'rate_limited');
    expect(counters.snapshot().discord).toEqual({
      delivered: 2,
      retried: 0,
      rate_limited: 0,
      failed: 0,
      disabled: 0,
      held: 0,
      unverified: 0,
    });
    expect(counters.get('slack', 'rate_limited')).toBe(1);
  });

  it('keeps the first record of a delivery', async () => {
    const ledger = new MemoryDeliveryLedger();
    const channel = { platform: 'console' as const, workspaceId: 'w', channelId: 'c' };
    expect(await ledger.record('k', channel, { messageId: 'm1', deliveredAt: 't1' })).toBe(true);
    expect(await ledger.record('k', channel, { messageId: 'm2', deliveredAt: 't2' })).toBe(false);
    expect(await ledger.get('k', channel)).toEqual({ messageId: 'm1', deliveredAt: 't1' });
    expect(await ledger.forPost('k')).toEqual([{ channel, messageId: 'm1', deliveredAt: 't1' }]);
  });
});
