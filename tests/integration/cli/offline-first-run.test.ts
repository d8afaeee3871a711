import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, REDIS_URL, ROOT, runCli, uniquePrefix } from '../../helpers/cli.js';

// README's first run works offline, from the archive the repository keeps, and a single saved page says that
// the feed has more pages than it.

const prefix = uniquePrefix('cli-offline-first-run');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

/** The `npx psf-bot …` lines of README's first-run block, as argument lists (paths made absolute). */
function firstRun(): string[][] {
  const block = /A first run that fills the lookup index[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('npx psf-bot '))
    .map((line) =>
      (line.slice('npx psf-bot '.length).match(/"[^"]*"|\S+/g) ?? []).map((word) =>
        word.startsWith('"') ? word.slice(1, -1) : word.replace('=tests/', `=${join(ROOT, 'tests')}/`),
      ),
    );
}

describe("README's first run", () => {
  it('backfills the saved archive and answers, with no network and no PSF_FEEDS', async () => {
    const commands = firstRun();
    expect(commands.map((args) => args[0])).toEqual(['backfill', 'ask', 'ask']);
    // A feed URL nobody can reach: the first run must not need it.
    const env = { REDIS_PREFIX: prefix, PSF_FEEDS: 'psf=http://127.0.0.1:1/feeds/posts/default' };
    const outputs: string[] = [];
    for (const args of commands) {
      const result = await runCli(args, env);
      expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
      outputs.push(result.stdout);
    }
    expect(outputs[0]).toBe('psf: 733 posts indexed from 5 pages\n');
    expect(outputs[1]).toMatch(/grants/i);
    expect((JSON.parse(outputs[2]!) as { posts: unknown[] }).posts.length).toBeGreaterThan(0);
  });

  it('says when a single saved page is not the whole feed', async () => {
    const page = join(ROOT, 'tests', 'fixtures', 'feeds', 'psf-archive', 'start-index-1.xml');
    const env = { REDIS_PREFIX: `${prefix}-page` };
    const text = await runCli(['backfill', '--feed', `psf=${page}`], env);
    expect(text.stdout).toMatch(/^psf: 150 posts indexed from 1 page; the feed has more pages than this one/);
    const json = await runCli(['backfill', '--feed', `psf=${page}`, '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual({ feed: 'psf', pages: 1, posts: 150, morePages: true });
    await deletePrefix(redis, `${prefix}-page`);
  });
});
