import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DISCORD_ROUTES,
  DiscordClient,
  type DiscordRouteName,
  type DiscordRouteParams,
} from '../../../adapters/discord/client.js';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import { DISCORD_REQUEST_LIMITS, RedisRequestBudget } from '../../../src/delivery/request-budget.js';
import { createLogger } from '../../../src/logger.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { BOT_USER } from '../../fakes/discord/wire.js';
import { deleteKeys, uniquePrefix } from '../../helpers/delivery-fixtures.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

// Every route the layer declares, taken from the layer itself: a route added there is tested here.
const ROUTE_NAMES = Object.keys(DISCORD_ROUTES) as DiscordRouteName[];
/** A value for every id a route path can take; a route with an id missing here fails its test. */
const IDS: Record<string, string> = {
  channelId: '7300000000000000001',
  messageId: '7300000000000000002',
  guildId: '7300000000000000003',
  userId: '7300000000000000006',
  applicationId: '7300000000000000004',
  interactionId: '7300000000000000005',
  interactionToken: 'interaction-token-1',
  webhookId: '7300000000000000007',
};
const UNAUTHORIZED = { status: 401, body: { code: 0, message: '401: Unauthorized' } };

let fake: FakeDiscord;
let redis: Redis;
const prefix = uniquePrefix('discord-client');

beforeAll(async () => {
  fake = await FakeDiscord.start();
  redis = new Redis({ ...testRedisOptions(), lazyConnect: true });
  await redis.connect();
});
afterAll(async () => {
  await fake.stop();
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

function paramsOf(name: DiscordRouteName): DiscordRouteParams<typeof name> {
  return Object.fromEntries(
    DISCORD_ROUTES[name].params.map((param) => {
      const id = IDS[param];
      if (id === undefined) throw new Error(`no sample id for ${param} (route ${name})`);
      return [param, id];
    }),
  ) as DiscordRouteParams<typeof name>;
}

function escaped(path: string): RegExp {
  return new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

async function settle(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => value,
    (error: unknown) => error,
  );
}

describe('the Discord client layer after a 401', () => {
  it('declares the routes every Discord call of the bot uses', () => {
    expect(ROUTE_NAMES.length).toBeGreaterThanOrEqual(13);
  });

  it.each(ROUTE_NAMES)(
    '%s: a 401 is classified as auth and the next calls still reach Discord',
    async (name) => {
      const client = new DiscordClient({ token: FAKE_TOKEN, apiUrl: fake.apiUrl });
      const route = DISCORD_ROUTES[name];
      const params = paramsOf(name);
      // The fake records paths percent-decoded (`@me`, `@original`).
      const path = decodeURIComponent(route.path(params as never));
      fake.rest.cue(route.method, escaped(path), UNAUTHORIZED);

      const refused = await settle(client.call(name, params, { body: {} }));
      expect(refused).toBeInstanceOf(DeliveryError);
      expect((refused as DeliveryError).kind).toBe('auth');

      // The same route again: it reaches Discord with the token (whatever the fake then answers), instead of
      // failing locally with "Expected token to be set".
      const before = fake.rest.requests.length;
      const again = await settle(client.call(name, params, { body: {} }));
      expect(String(again)).not.toMatch(/Expected token/);
      expect(fake.rest.requests.length).toBe(before + 1);
      const sent = fake.rest.requests.at(-1)!;
      expect(sent.path).toBe(path);
      if (route.bot) expect(sent.headers.authorization).toBe(`Bot ${FAKE_TOKEN}`);
      // And any other bot-token call works.
      await expect(client.call('currentUser', {})).resolves.toMatchObject({ id: BOT_USER.id });
    },
  );

  it('keeps the token after a proxy 401 with an HTML body, which discord.js cannot even parse', async () => {
    const client = new DiscordClient({ token: FAKE_TOKEN, apiUrl: fake.apiUrl });
    fake.rest.cue('GET', /^\/users\/@me$/, {
      status: 401,
      raw: '<html><body>401 Authorization Required</body></html>',
      headers: { 'content-type': 'text/html' },
    });
    expect(await settle(client.call('currentUser', {}))).toBeInstanceOf(DeliveryError);
    await expect(client.call('currentUser', {})).resolves.toMatchObject({ id: BOT_USER.id });
  });
});

describe('the invalid-request budget', () => {
  it('counts the 401s, 403s and 429s Discord counts, and not the rest', async () => {
    const budget = new RedisRequestBudget(redis, prefix, 'count');
    const client = new DiscordClient({ token: FAKE_TOKEN, apiUrl: fake.apiUrl, budget });
    const fakeBefore = fake.rest.invalidCount();
    const channel = '7300000000000000101';
    fake.rest.cue('GET', new RegExp(`^/channels/${channel}$`), UNAUTHORIZED);
    fake.rest.cue('GET', new RegExp(`^/channels/${channel}$`), {
      status: 403,
      body: { code: 50001, message: 'Missing Access' },
    });
    fake.rest.cue('GET', new RegExp(`^/channels/${channel}$`), {
      status: 429,
      headers: { 'retry-after': '1', 'x-ratelimit-scope': 'user' },
      body: { message: 'You are being rate limited.', retry_after: 1, global: false },
    });
    fake.rest.cue('GET', new RegExp(`^/channels/${channel}$`), {
      status: 429,
      headers: { 'retry-after': '1', 'x-ratelimit-scope': 'shared' },
      body: { message: 'You are being rate limited.', retry_after: 1, global: false },
    });
    fake.rest.cue('GET', new RegExp(`^/channels/${channel}$`), { status: 500, body: { message: 'oops' } });
    for (let i = 0; i < 5; i++) await settle(client.call('getChannel', { channelId: channel }));
    // The count is written when the answer arrives, a moment after the call settles.
    await expect.poll(() => budget.invalidCount()).toBe(3);
    expect(fake.rest.invalidCount() - fakeBefore).toBe(3);
  });

  it('warns at each mark and holds every request from the hold mark, sending nothing to Discord', async () => {
    const limits = { ...DISCORD_REQUEST_LIMITS, reportAt: 1, slowAt: 2, holdAt: 3 };
    const budget = new RedisRequestBudget(redis, prefix, 'hold', limits);
    const lines: string[] = [];
    const logger = createLogger('warn', { stream: { write: (line: string) => void lines.push(line) } });
    const client = new DiscordClient({ token: FAKE_TOKEN, apiUrl: fake.apiUrl, budget, logger });
    fake.rest.cue('GET', /^\/users\/@me$/, UNAUTHORIZED, 3);
    for (let i = 0; i < 3; i++) await settle(client.call('currentUser', {}));
    await expect.poll(() => budget.invalidCount()).toBe(3);
    await expect.poll(() => lines.length).toBe(3);
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      expect.stringContaining('nothing slows yet'),
      expect.stringContaining('slowed'),
      expect.stringContaining('held'),
    ]);
    const before = fake.rest.requests.length;
    const held = await settle(client.call('currentUser', {}));
    expect(held).toMatchObject({ kind: 'rate_limited', scope: 'global' });
    expect((held as DeliveryError).retryAfterMs).toBeGreaterThan(60_000);
    expect(fake.rest.requests.length).toBe(before);
  });
});

describe('the per-token request budget', () => {
  it('grants at most its requests per second, shared by every client on the same Redis', async () => {
    const limits = { ...DISCORD_REQUEST_LIMITS, perSecond: 5 };
    const one = new RedisRequestBudget(redis, prefix, 'rate', limits);
    const two = new RedisRequestBudget(redis, prefix, 'rate', limits);
    const waits = await Promise.all([...Array(8).keys()].map((i) => (i % 2 ? one : two).take()));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(5);
    for (const wait of waits.filter((w) => w > 0)) expect(wait).toBeLessThanOrEqual(1_020);
  });

  it('slows to its slowed rate once invalid answers reach the slow mark', async () => {
    const limits = { ...DISCORD_REQUEST_LIMITS, perSecond: 40, slowAt: 2, slowPerSecond: 2, holdAt: 100 };
    const budget = new RedisRequestBudget(redis, prefix, 'slow', limits);
    await budget.invalid();
    await budget.invalid();
    const waits = await Promise.all([...Array(6).keys()].map(() => budget.take()));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(2);
  });
});
