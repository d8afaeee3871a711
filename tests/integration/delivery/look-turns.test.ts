import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisLookTurns } from '../../../src/delivery/look-turns.js';
import { deleteKeys, uniquePrefix } from '../../helpers/delivery-fixtures.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

const redis = new Redis(testRedisOptions());
const prefix = uniquePrefix('look-turns');

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describe('RedisLookTurns', () => {
  it('lets one look at a time read, first come first served, and sends a look wanting more to the back', async () => {
    const turns = new RedisLookTurns(redis, prefix);
    expect(await turns.take('slack:T1', 'a')).toBe(0);
    expect(await turns.take('slack:T1', 'b')).toBe(1);
    expect(await turns.take('slack:T1', 'c')).toBe(2);
    // Asking again keeps one's place; another workspace has a line of its own.
    expect(await turns.take('slack:T1', 'b')).toBe(1);
    expect(await turns.take('slack:T2', 'z')).toBe(0);
    // a read a page and has more: b and c each get a page before a's next one.
    await turns.release('slack:T1', 'a', true);
    expect(await turns.take('slack:T1', 'a')).toBe(2);
    expect(await turns.take('slack:T1', 'b')).toBe(0);
    await turns.release('slack:T1', 'b', false);
    expect(await turns.take('slack:T1', 'c')).toBe(0);
    await turns.release('slack:T1', 'c', false);
    expect(await turns.take('slack:T1', 'a')).toBe(0);
  });

  it('drops a look that stopped asking (its job ended, its worker died), so the line never blocks', async () => {
    const turns = new RedisLookTurns(redis, prefix, 200);
    expect(await turns.take('slack:T3', 'gone')).toBe(0);
    expect(await turns.take('slack:T3', 'waiting')).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await turns.take('slack:T3', 'waiting')).toBe(0);
    // The dropped look queues up again at the back when it comes back.
    expect(await turns.take('slack:T3', 'gone')).toBe(1);
  });
});
