import { createCipheriv, randomBytes } from 'node:crypto';
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
    const one = cipher.seal('{"bot":1}', 'team:T1');
    expect(one).not.toContain('bot');
    expect(one).toContain(`:${parseKey(KEY_A)?.id}:`);
    expect(cipher.seal('{"bot":1}', 'team:T1')).not.toBe(one);
    expect(cipher.open(one, 'team:T1')).toEqual({ text: '{"bot":1}', stale: false, bound: true });
    const altered = one.slice(0, -4) + (one.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => cipher.open(altered, 'team:T1')).toThrow(AtRestError);
    expect(() => atRestCipher({ currentKey: KEY_B, oldKeys: [] }).open(one, 'team:T1')).toThrow(
      /neither ENCRYPTION_KEY/,
    );
    expect(() => new AtRestCipher(null).open(one, 'team:T1')).toThrow(/ENCRYPTION_KEY is not set/);
  });

  it('binds a value to its owner: opened as another owner it does not open', () => {
    const cipher = atRestCipher({ currentKey: KEY_A, oldKeys: [] });
    const sealed = cipher.seal('{"bot":1}', 'team:T1');
    expect(() => cipher.open(sealed, 'team:T2')).toThrow(/does not open as team:T2's/);
    expect(() => cipher.open(sealed, 'enterprise:T1')).toThrow(AtRestError);
  });

  it('refuses a value whose authentication tag was cut short (GCM accepts 4-byte tags unless told)', () => {
    const cipher = atRestCipher({ currentKey: KEY_A, oldKeys: [] });
    const parts = cipher.seal('{"bot":1}', 'team:T1').split(':');
    for (const bytes of [4, 8, 12]) {
      const cut = [...parts];
      cut[4] = Buffer.from(parts[4]!, 'base64').subarray(0, bytes).toString('base64');
      expect(() => cipher.open(cut.join(':'), 'team:T1')).toThrow(AtRestError);
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

/** A value as the v1 format sealed it (before owners were bound): no associated data. */
function sealUnbound(text: string, keyText: string): string {
  const key = parseKey(keyText)!;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64'));
  return ['psf-sealed:v1', key.id, ...parts].join(':');
}

describe('RedisInstallationStore binds each value to its workspace', () => {
  const sealed = () =>
    new RedisInstallationStore(redis, prefix, atRestCipher({ currentKey: KEY_A, oldKeys: [] }));

  it("does not open a sealed value moved to another team's key", async () => {
    const store = sealed();
    await store.storeInstallation(installation('T10'));
    await redis.set(keyOf('T11'), (await redis.get(keyOf('T10'))) ?? '');
    await expect(store.botToken('T11')).rejects.toThrow(AtRestError);
    await expect(
      store.fetchInstallation({ teamId: 'T11', isEnterpriseInstall: false, enterpriseId: undefined }),
    ).rejects.toThrow(AtRestError);
    expect(await store.botToken('T10')).toBe(BOT);
  });

  it('binds an org-wide install to its enterprise id', async () => {
    const store = sealed();
    const org = { ...installation('T12'), enterprise: { id: 'E1' }, isEnterpriseInstall: true };
    await store.storeInstallation(org as unknown as Parameters<typeof store.storeInstallation>[0]);
    const at = (id: string) => `${prefix}:slack:install:enterprise:${id}`;
    const query = (id: string) => ({ teamId: undefined, isEnterpriseInstall: true, enterpriseId: id });
    expect((await store.fetchInstallation(query('E1'))).bot?.token).toBe(BOT);
    await redis.set(at('E2'), (await redis.get(at('E1'))) ?? '');
    await expect(store.fetchInstallation(query('E2'))).rejects.toThrow(AtRestError);
  });

  it('reads a value sealed before binding under its own team, then reseals it bound', async () => {
    await redis.set(keyOf('T13'), sealUnbound(JSON.stringify(installation('T13')), KEY_A));
    const store = sealed();
    expect(await store.botToken('T13')).toBe(BOT);
    const resealed = (await redis.get(keyOf('T13'))) ?? '';
    expect(resealed).toMatch(/^psf-sealed:v2:/);
    await redis.set(keyOf('T14'), resealed);
    await expect(store.botToken('T14')).rejects.toThrow(AtRestError);
  });

  it('refuses an unbound value (v1 or clear) whose owner inside is another team, and leaves it as it was', async () => {
    const v1 = sealUnbound(JSON.stringify(installation('T15')), KEY_A);
    await redis.set(keyOf('T16'), v1);
    await expect(sealed().botToken('T16')).rejects.toThrow(/names another owner/);
    expect(await redis.get(keyOf('T16'))).toBe(v1);
    await redis.set(keyOf('T17'), JSON.stringify(installation('T15')));
    await expect(sealed().botToken('T17')).rejects.toThrow(/names another owner/);
    await expect(new RedisInstallationStore(redis, prefix).botToken('T17')).rejects.toThrow(
      /names another owner/,
    );
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
