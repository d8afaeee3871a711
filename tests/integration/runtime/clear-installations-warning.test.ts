import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { closedPort, deletePrefix, REDIS_URL, uniquePrefix } from '../../helpers/cli.js';
import { FIXTURES } from '../../helpers/fixtures.js';
import { BotProcesses } from '../../helpers/processes.js';

// Issue 12 §7: with Slack OAuth and no ENCRYPTION_KEY, installations sit in Redis in clear text; start says so.
const prefix = uniquePrefix('runtime-clear-installs');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const bots = new BotProcesses();

afterAll(async () => {
  await bots.killAll();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

async function oauthEnv(): Promise<Record<string, string>> {
  return {
    REDIS_PREFIX: prefix,
    PSF_FEEDS: `psf=${FIXTURES.bloggerAtom}`,
    SLACK_CLIENT_ID: '1.2',
    SLACK_CLIENT_SECRET: 'client-secret',
    SLACK_STATE_SECRET: 'state-secret',
    SLACK_SIGNING_SECRET: 'signing-secret',
    SLACK_API_URL: `http://127.0.0.1:${await closedPort()}/api/`,
  };
}

const warning = (line: { level?: unknown; msg?: string }) =>
  line.level === 40 && /without ENCRYPTION_KEY/.test(line.msg ?? '');

describe('start with Slack OAuth', () => {
  it('warns that installations are stored in clear text without ENCRYPTION_KEY, and not with one', async () => {
    const clear = await bots.start('clear', 'poller', await oauthEnv());
    await clear.stop();
    expect(clear.logs().filter(warning), clear.stdout()).toHaveLength(1);
    const sealed = await bots.start('sealed', 'poller', {
      ...(await oauthEnv()),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    });
    await sealed.stop();
    expect(sealed.logs().filter(warning)).toEqual([]);
  });
});
