import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryDeliveryLedger, type DeliveryLedger } from '../../../src/delivery/ledger.js';
import { RedisDeliveryLedger } from '../../../src/delivery/redis-delivery-ledger.js';
import { deleteKeys, uniquePrefix } from '../../helpers/delivery-fixtures.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

const redis = new Redis(testRedisOptions());
const prefix = uniquePrefix('ledger');
afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

const channel = { platform: 'discord' as const, workspaceId: 'g', channelId: 'c' };
const other = { ...channel, channelId: 'elsewhere' };

for (const [name, make] of [
  ['memory', () => new MemoryDeliveryLedger()],
  ['redis', () => new RedisDeliveryLedger(redis, `${prefix}:${Math.random()}`)],
] as [string, () => DeliveryLedger][]) {
  describe(`${name} delivery ledger`, () => {
    it('keeps a forum post’s thread and the version shown, first record wins, an edit replaces only what exists', async () => {
      const ledger = make();
      const first = { messageId: 'm1', threadId: 'm1', deliveredAt: 't1', version: 'v1' };
      expect(await ledger.record('k', channel, first)).toBe(true);
      expect(await ledger.record('k', channel, { messageId: 'm2', deliveredAt: 't2' })).toBe(false);
      expect(await ledger.get('k', channel)).toEqual(first);
      await ledger.update('k', channel, { ...first, version: 'v2', editedAt: 't3' });
      expect(await ledger.get('k', channel)).toEqual({ ...first, version: 'v2', editedAt: 't3' });
      await ledger.update('k', other, { messageId: 'x', deliveredAt: 'y' });
      expect(await ledger.get('k', other)).toBeNull();
      expect(await ledger.forPost('k')).toEqual([{ ...first, version: 'v2', editedAt: 't3', channel }]);
    });

    it("keeps an edit's version and a hub's publish, each written by a job that read the entry before the other", async () => {
      const ledger = make();
      await ledger.record('k', channel, { messageId: 'm1', deliveredAt: 't1', version: 'v1' });
      // The edit job read the entry (not yet published), then waited for its edit slot while the publish went out.
      await ledger.update('k', channel, { crosspostedAt: 't2' });
      await ledger.update('k', channel, { version: 'v2', editedAt: 't3' });
      expect(await ledger.get('k', channel)).toEqual({
        messageId: 'm1',
        deliveredAt: 't1',
        version: 'v2',
        editedAt: 't3',
        crosspostedAt: 't2',
      });
    });

    it('tells when an attempt that may have reached the platform began, without marking one', async () => {
      const ledger = make();
      const at = new Date('2026-12-07T08:00:00.000Z');
      expect(await ledger.attemptedAt('k', channel)).toBeNull();
      expect(await ledger.attemptedAt('k', channel)).toBeNull();
      expect(await ledger.markAttempt('k', channel, at)).toBeNull();
      expect(await ledger.attemptedAt('k', channel)).toEqual(at);
      expect(await ledger.attemptedAt('k', other)).toBeNull();
      await ledger.clearAttempt('k', channel);
      expect(await ledger.attemptedAt('k', channel)).toBeNull();
    });
  });
}
