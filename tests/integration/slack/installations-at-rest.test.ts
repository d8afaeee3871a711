import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisInstallationStore } from '../../../adapters/slack/installation-store.js';
import { installationsAtRest } from '../../../jobs/doctor/index.js';
import { loadConfig } from '../../../src/config.js';
import { AtRestCipher, AtRestError, atRestCipher, parseKey } from '../../../src/secrets/at-rest.js';
import { deleteKeys, uniquePrefix } from '../../helpers/delivery-fixtures.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

// Issue 12 §7: Slack installations (bot tokens, refresh tokens) were stored in Redis in clear text.
const prefix = uniquePrefix('slack-at-rest');
const redis = new Redis(testRedisOptions());
const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('hex');
const BOT = 'xoxb-111-222-sealedtoken';
const REFRESH = 'xoxe-1-refreshsecret';

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

const installation = (team: string) => ({
  team: { id: team },
  enterprise: undefined,
  user: { id: 'U1', token: undefined, scopes: undefined },
  bot: { token: BOT, refreshToken: REFRESH, scopes: ['chat:write'], id: 'B', userId: 'UB' },
  isEnterpriseInstall: false as const,
});
const keyOf = (team: string) => `${prefix}:slack:install:team:${team}`;

describe('the at-rest cipher', () => {
  it('reads 32-byte keys as hex or base64 and refuses anything else', () => {
    expect(parseKey(KEY_A)?.key).toHaveLength(32);
    expect(parseKey(KEY_B)?.key).toHaveLength(32);
    expect(parseKey(KEY_A)?.id).toMatch(/^[0-9a-f]{8}$/);
    for (const bad of ['', 'short', randomBytes(16).toString('hex'), randomBytes(31).toString('base64')])
      expect(parseKey(bad)).toBeNull();
  });

  it('seals with a key id and a fresh IV, opens, and refuses altered or unknown values', () => {
    const cipher = atRestCipher({ currentKey: KEY_A, oldKeys: [] });
    const one = cipher.seal('{"bot":1}');
    expect(one).not.toContain('bot');
    expect(one).toContain(`:${parseKey(KEY_A)?.id}:`);
    expect(cipher.seal('{"bot":1}')).not.toBe(one);
    expect(cipher.open(one)).toEqual({ text: '{"bot":1}', stale: false });
    const altered = one.slice(0, -4) + (one.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => cipher.open(altered)).toThrow(AtRestError);
    expect(() => atRestCipher({ currentKey: KEY_B, oldKeys: [] }).open(one)).toThrow(
      /neither ENCRYPTION_KEY/,
    );
    expect(() => new AtRestCipher(null).open(one)).toThrow(/ENCRYPTION_KEY is not set/);
  });

  it('refuses a value whose authentication tag was cut short (GCM accepts 4-byte tags unless told)', () => {
    const cipher = atRestCipher({ currentKey: KEY_A, oldKeys: [] });
    const parts = cipher.seal('{"bot":1}').split(':');
    for (const bytes of [4, 8, 12]) {
      const cut = [...parts];
      cut[4] = Buffer.from(parts[4]!, 'base64').subarray(0, bytes).toString('base64');
      expect(() => cipher.open(cut.join(':'))).toThrow(AtRestError);
    }
  });
});

describe('RedisInstallationStore with ENCRYPTION_KEY', () => {
  it('keeps no token in clear text in Redis and still hands it out', async () => {
    const store = new RedisInstallationStore(redis, prefix, atRestCipher({ currentKey: KEY_A, oldKeys: [] }));
    await store.storeInstallation(installation('T1'));
    const raw = (await redis.get(keyOf('T1'))) ?? '';
    expect(raw).not.toContain(BOT);
    expect(raw).not.toContain(REFRESH);
    expect(await store.botToken('T1')).toBe(BOT);
    const fetched = await store.fetchInstallation({
      teamId: 'T1',
      isEnterpriseInstall: false,
      enterpriseId: undefined,
    });
    expect(fetched.bot?.refreshToken).toBe(REFRESH);
  });

  it('seals an installation stored in clear text the first time it is read', async () => {
    await new RedisInstallationStore(redis, prefix).storeInstallation(installation('T2'));
    expect(await redis.get(keyOf('T2'))).toContain(BOT);
    const store = new RedisInstallationStore(redis, prefix, atRestCipher({ currentKey: KEY_A, oldKeys: [] }));
    expect(await store.botToken('T2')).toBe(BOT);
    expect(await redis.get(keyOf('T2'))).not.toContain(BOT);
    expect(await store.botToken('T2')).toBe(BOT);
  });

  it('rolls to a new key: values under the old one are read and resealed under the new one', async () => {
    const old = new RedisInstallationStore(redis, prefix, atRestCipher({ currentKey: KEY_A, oldKeys: [] }));
    await old.storeInstallation(installation('T3'));
    const rolled = new RedisInstallationStore(
      redis,
      prefix,
      atRestCipher({ currentKey: KEY_B, oldKeys: [KEY_A] }),
    );
    expect(await rolled.botToken('T3')).toBe(BOT);
    expect(await redis.get(keyOf('T3'))).toContain(`:${parseKey(KEY_B)?.id}:`);
    const newOnly = new RedisInstallationStore(
      redis,
      prefix,
      atRestCipher({ currentKey: KEY_B, oldKeys: [] }),
    );
    expect(await newOnly.botToken('T3')).toBe(BOT);
  });
});

describe('configuration and doctor', () => {
  const oauth = {
    SLACK_CLIENT_ID: '1.2',
    SLACK_CLIENT_SECRET: 'cs',
    SLACK_STATE_SECRET: 'ss',
    SLACK_SIGNING_SECRET: 'sign',
  };

  it('refuses a key that is not 32 bytes, and old keys without a current one', () => {
    expect(() => loadConfig({ ENCRYPTION_KEY: 'too-short' })).toThrow(/ENCRYPTION_KEY must be 32 bytes/);
    expect(() => loadConfig({ ENCRYPTION_OLD_KEYS: KEY_A })).toThrow(/ENCRYPTION_OLD_KEYS is set/);
    expect(loadConfig({ ENCRYPTION_KEY: KEY_B }).encryption).toEqual({ currentKey: KEY_B, oldKeys: [] });
  });

  it('doctor warns when OAuth runs without ENCRYPTION_KEY (fails in production) and passes with one', () => {
    expect(installationsAtRest(loadConfig(oauth))).toMatchObject({
      ok: true,
      mark: 'warn',
      fix: expect.stringMatching(/ENCRYPTION_KEY/),
    });
    expect(installationsAtRest(loadConfig({ ...oauth, NODE_ENV: 'production' }))).toMatchObject({
      ok: false,
    });
    expect(installationsAtRest(loadConfig({ ...oauth, ENCRYPTION_KEY: KEY_A }))).toMatchObject({ ok: true });
    expect(installationsAtRest(loadConfig({ ...oauth, ENCRYPTION_KEY: KEY_A })).mark).toBeUndefined();
  });
});
