import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyDeclaredSubscriptions } from '../../src/subscriptions/declared.js';
import type { SubscriptionStore } from '../../src/subscriptions/subscription-store.js';
import { makeSubscription } from './delivery-fixtures.js';

/** A fresh, empty store and how to clean up after it. */
export type StoreFactory = () => Promise<{ store: SubscriptionStore; cleanup(): Promise<void> }>;

const byChannel = (a: { channelId: string }, b: { channelId: string }) =>
  a.channelId.localeCompare(b.channelId);

/** The `SubscriptionStore` contract: every implementation must pass it. */
export function subscriptionStoreContract(name: string, factory: StoreFactory): void {
  describe(`SubscriptionStore contract: ${name}`, () => {
    let store: SubscriptionStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ store, cleanup } = await factory()));
    afterEach(async () => cleanup());

    it('answers null for a channel with no subscription', async () => {
      expect(await store.get({ platform: 'discord', workspaceId: 'g1', channelId: 'nope' })).toBeNull();
      expect(await store.list()).toEqual([]);
    });

    it('keeps every field of a subscription it was given', async () => {
      const sub = makeSubscription(1, {
        platform: 'discord',
        workspaceId: 'g1',
        feeds: ['psf', 'insider'],
        tags: ['grants', 'board of directors'],
        options: { crosspost: true, mentionRoleId: '42' },
        createdBy: 'U123',
      });
      await store.put(sub);
      expect(await store.get(sub)).toEqual(sub);
    });

    it('holds one subscription per channel: put replaces it and re-enables it', async () => {
      const sub = makeSubscription(1);
      await store.put(sub);
      await store.disable(sub, 'channel_not_found: gone');
      await store.put({ ...sub, feeds: ['psf'], tags: ['grants'] });
      expect(await store.list()).toEqual([{ ...sub, feeds: ['psf'], tags: ['grants'] }]);
    });

    it('disables one subscription with its reason and time, and leaves the others alone', async () => {
      await store.put(makeSubscription(1));
      await store.put(makeSubscription(2));
      const before = Date.now();
      await store.disable(makeSubscription(1), '50001: Missing Access');
      const disabled = await store.get(makeSubscription(1));
      expect(disabled?.disabledReason).toBe('50001: Missing Access');
      expect(Date.parse(disabled?.disabledAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
      expect((await store.get(makeSubscription(2)))?.disabledReason).toBeNull();
      expect(await store.list()).toHaveLength(2);
    });

    it('replaces a reason, unless asked to keep the one already there', async () => {
      await store.put(makeSubscription(1));
      await store.disable(makeSubscription(1), '50001: the bot was removed from this server');
      await store.disable(makeSubscription(1), '50001: Missing Access', { keep: true });
      expect((await store.get(makeSubscription(1)))?.disabledReason).toMatch(/removed from this server/);
      await store.disable(makeSubscription(1), 'GUILD_DELETE: the bot was removed');
      expect((await store.get(makeSubscription(1)))?.disabledReason).toMatch(/^GUILD_DELETE/);
      await store.put(makeSubscription(2));
      await store.disable(makeSubscription(2), '10003: Unknown Channel', { keep: true });
      expect((await store.get(makeSubscription(2)))?.disabledReason).toBe('10003: Unknown Channel');
    });

    it('disabling a channel that has no subscription creates nothing', async () => {
      await store.disable(makeSubscription(9), 'gone');
      expect(await store.get(makeSubscription(9))).toBeNull();
      expect(await store.list()).toEqual([]);
    });

    it('removes a subscription once', async () => {
      await store.put(makeSubscription(1));
      expect(await store.remove(makeSubscription(1))).toBe(true);
      expect(await store.remove(makeSubscription(1))).toBe(false);
      expect(await store.get(makeSubscription(1))).toBeNull();
    });

    it('lists and removes one workspace of one platform only', async () => {
      await store.put(makeSubscription(1, { platform: 'slack', workspaceId: 'T1' }));
      await store.put(makeSubscription(2, { platform: 'slack', workspaceId: 'T1' }));
      await store.put(makeSubscription(3, { platform: 'slack', workspaceId: 'T2' }));
      await store.put(makeSubscription(4, { platform: 'discord', workspaceId: 'T1' }));
      const t1 = await store.listWorkspace('slack', 'T1');
      expect(t1.map((sub) => sub.channelId).sort()).toEqual(['c1', 'c2']);
      expect(await store.removeWorkspace('slack', 'T1')).toBe(2);
      expect((await store.list()).sort(byChannel).map((sub) => sub.channelId)).toEqual(['c3', 'c4']);
      expect(await store.removeWorkspace('slack', 'T1')).toBe(0);
    });

    it('keeps channels apart even when their ids contain the separator', async () => {
      await store.put(makeSubscription(0, { workspaceId: 'a:b', channelId: 'c' }));
      await store.put(makeSubscription(0, { workspaceId: 'a', channelId: 'b:c', feeds: ['psf'] }));
      expect(await store.list()).toHaveLength(2);
      expect((await store.get({ platform: 'console', workspaceId: 'a', channelId: 'b:c' }))?.feeds).toEqual([
        'psf',
      ]);
    });

    it('hands out copies: changing a returned subscription changes nothing stored', async () => {
      await store.put(makeSubscription(1, { tags: ['grants'] }));
      const got = await store.get(makeSubscription(1));
      got?.tags.push('mutated');
      expect((await store.get(makeSubscription(1)))?.tags).toEqual(['grants']);
    });

    it('applies declared subscriptions once, created by config, without touching existing ones', async () => {
      const declared = [
        {
          platform: 'console' as const,
          workspaceId: 'w1',
          channelId: 'c1',
          feeds: ['psf'],
          tags: ['Board-of-Directors'],
        },
        { platform: 'console' as const, workspaceId: 'w1', channelId: 'c2', feeds: [], tags: [] },
      ];
      await store.put(makeSubscription(2, { createdBy: 'U1', tags: ['grants'] }));
      await store.disable(makeSubscription(2), 'is_archived: archived');
      const now = new Date('2025-06-01T00:00:00.000Z');
      const created = await applyDeclaredSubscriptions(store, declared, now);
      expect(created.map((sub) => sub.channelId)).toEqual(['c1']);
      expect(await store.get(makeSubscription(1))).toMatchObject({
        feeds: ['psf'],
        tags: ['board of directors'],
        createdBy: 'config',
        createdAt: now.toISOString(),
        disabledReason: null,
      });
      expect(await store.get(makeSubscription(2))).toMatchObject({
        createdBy: 'U1',
        disabledReason: 'is_archived: archived',
      });
      expect(await applyDeclaredSubscriptions(store, declared, new Date())).toEqual([]);
    });
  });
}
