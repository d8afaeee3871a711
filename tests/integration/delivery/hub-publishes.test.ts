import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HUB_WINDOW_MS,
  MemoryHubPublishes,
  RedisHubPublishes,
  type HubPublishes,
} from '../../../src/delivery/hub-publishes.js';
import { deleteKeys, uniquePrefix } from '../../helpers/delivery-fixtures.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

const prefix = uniquePrefix('hub-publishes');
let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisOptions());
});
afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

const at = (minutes: number) => new Date(Date.UTC(2026, 11, 7, 8, 0) + minutes * 60_000);

describe.each([
  ['RedisHubPublishes', (): HubPublishes => new RedisHubPublishes(redis, `${prefix}:${Math.random()}`)],
  ['MemoryHubPublishes', (): HubPublishes => new MemoryHubPublishes()],
])('%s: 10 publishes per rolling hour per hub', (_name, make) => {
  it('gives 10 slots in an hour, then a wait until the oldest leaves the window', async () => {
    const hubs = make();
    for (let i = 0; i < 10; i++) expect(await hubs.take('h1', `p${i}`, at(i))).toEqual({ taken: true });
    expect(await hubs.take('h1', 'p10', at(30))).toEqual({
      taken: false,
      waitMs: HUB_WINDOW_MS - 30 * 60_000,
    });
    expect(await hubs.take('h1', 'p11', at(30))).toMatchObject({ taken: false });
    // A post holding a slot keeps it when it asks again (a retry), without taking another.
    expect(await hubs.take('h1', 'p3', at(31))).toEqual({ taken: true });
    expect(await hubs.backlog('h1', at(31))).toEqual({
      published: 10,
      waiting: 2,
      nextAt: new Date(at(0).getTime() + HUB_WINDOW_MS).toISOString(),
      unpublished: 0,
    });
    // Another hub has its own window.
    expect(await hubs.take('h2', 'p10', at(31))).toEqual({ taken: true });
    // An hour after the first publish its slot is free again; the post stops waiting.
    expect(await hubs.take('h1', 'p10', at(60))).toEqual({ taken: true });
    expect(await hubs.backlog('h1', at(60))).toMatchObject({ published: 10, waiting: 1 });
    // A publish that failed every attempt is counted until it goes out.
    await hubs.unpublished('h1', 'p3', true);
    expect(await hubs.backlog('h1', at(60))).toMatchObject({ unpublished: 1 });
    await hubs.unpublished('h1', 'p3', false);
    expect(await hubs.backlog('h1', at(60))).toMatchObject({ unpublished: 0 });
  });

  it('keeps what the workers learnt of each hub', async () => {
    const hubs = make();
    await hubs.note('h3', { feed: 'psf', serverId: 's1', checkedAt: at(0).toISOString() });
    await hubs.note('h4', {
      feed: 'insider',
      problem: 'not an announcement channel',
      checkedAt: at(0).toISOString(),
    });
    expect(await hubs.hubs()).toEqual({
      h3: { feed: 'psf', serverId: 's1', checkedAt: at(0).toISOString() },
      h4: { feed: 'insider', problem: 'not an announcement channel', checkedAt: at(0).toISOString() },
    });
  });
});
