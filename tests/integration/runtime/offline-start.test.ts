import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { closedPort, deletePrefix, REDIS_URL, uniquePrefix } from '../../helpers/cli.js';
import { BotProcesses, waitFor } from '../../helpers/processes.js';

// A first start with the feed out of reach: the operator reads one line saying which feed could not be
// reached, why, and when it will be tried again; and no log line carries a key twice (pino writes both).

const prefix = uniquePrefix('runtime-offline');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const bots = new BotProcesses();

afterAll(async () => {
  await bots.killAll();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

/** The keys of a JSON object's top level, in the order the text has them, repeats included. */
function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (const match of line.matchAll(/"((?:[^"\\]|\\.)*)"(\s*:)?|[{}[\]]/g)) {
    const token = match[0];
    if (token === '{' || token === '[') depth += 1;
    else if (token === '}' || token === ']') depth -= 1;
    else if (match[2] && depth === 1) keys.push(match[1]!);
  }
  return keys;
}

describe('first start with the feed unreachable', () => {
  it('says in one line which feed could not be reached, why, and when it retries', async () => {
    const port = await closedPort();
    // Credentials and a query token in the URL (a private feed): the log shows the URL without them.
    const shown = `http://127.0.0.1:${port}/feeds/posts/default`;
    const feed = shown.replace('http://', 'http://reader:hunter2@') + '?key=tok-abc123';
    const bot = await bots.start('poller', 'poller', {
      REDIS_PREFIX: prefix,
      PSF_FEEDS: `psf=${feed}`,
      POLL_INTERVAL: '5m',
    });
    const failures = () => bot.logs().filter((line) => line.level === 40 && line.feed === 'psf');
    await waitFor(
      () => failures().length > 0,
      'the failed first poll',
      20_000,
      () => bot.stdout(),
    );
    await bot.stop();
    expect(failures(), bot.stdout()).toHaveLength(1);
    const [line] = failures();
    expect(line!.msg).toContain(shown);
    for (const secret of ['hunter2', 'tok-abc123']) expect(bot.stdout()).not.toContain(secret);
    expect(line!.msg).toMatch(/connection refused \(ECONNREFUSED\)/);
    expect(line!.msg).toMatch(/will retry in [45] minutes \(\d{4}-\d\d-\d\dT/);
    expect(Date.parse(String(line!.retryAt))).toBeGreaterThan(Date.now());
    for (const text of bot
      .stdout()
      .split('\n')
      .filter((row) => row.startsWith('{'))) {
      const keys = topLevelKeys(text);
      expect(
        keys.filter((key, i) => keys.indexOf(key) !== i),
        text,
      ).toEqual([]);
    }
  });
});
