import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { RedisSubscriptionStore } from '../../../src/subscriptions/redis-subscription-store.js';
import { deleteKeys, uniquePrefix } from '../../helpers/delivery-fixtures.js';
import { subscriptionStoreContract } from '../../helpers/delivery-subscription-contract.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

const redis = new Redis(testRedisOptions());
afterAll(() => redis.quit());

subscriptionStoreContract('memory', async () => ({
  store: new MemorySubscriptionStore(),
  cleanup: async () => undefined,
}));

subscriptionStoreContract('redis', async () => {
  const prefix = uniquePrefix('delivery-subs');
  return { store: new RedisSubscriptionStore(redis, prefix), cleanup: () => deleteKeys(redis, prefix) };
});
