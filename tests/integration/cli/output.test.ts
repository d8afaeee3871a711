import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  atomWithEntries,
  BIN,
  childEnv,
  deletePrefix,
  entryTitle,
  REDIS_URL,
  uniquePrefix,
} from '../../helpers/cli.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';

// docs/cli.md: a command's output is whole however it is read (a pipe holds 64 KiB; the rest used to be lost
// when the process exited), and the CLI reads `.env` from where it runs, the environment winning over it.

const dir = mkdtempSync(join(tmpdir(), 'psf-bot-output-'));
const prefix = uniquePrefix('cli-output');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await deletePrefix(redis, prefix);
  await redis.quit();
});

/** Runs `sh -c script` in `cwd` with `env` and collects what it printed. */
function sh(
  script: string,
  env: Record<string, string>,
  cwd = dir,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn('sh', ['-c', script], { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('piped output', () => {
  it('delivers every one of 400 previewed posts through a pipe to another process', async () => {
    const entries = Array.from({ length: 375 }, (_, i) => ({
      n: i + 1,
      publishedAt: new Date(Date.UTC(2026, 0, 1) - i * 3_600_000),
      tags: ['grants'],
    }));
    const feed = join(dir, 'big.xml');
    writeFileSync(feed, atomWithEntries(readFixture(FIXTURES.bloggerAtom), entries));
    // The reader parses stdin as one JSON document, as `| jq` would.
    const reader = join(dir, 'reader.mjs');
    writeFileSync(
      reader,
      `let text = ''; process.stdin.setEncoding('utf8');
       process.stdin.on('data', (c) => (text += c));
       process.stdin.on('end', () => {
         const items = JSON.parse(text);
         process.stdout.write(JSON.stringify({ bytes: text.length, count: items.length, first: items[0].post.title, last: items.at(-1).post.title }));
       });`,
    );
    const result = await sh(
      `{ "$NODE" "$BIN" preview "$FEED" --json; echo $? > status; } | "$NODE" "$READER"; cat status`,
      { NODE: process.execPath, BIN, FEED: feed, READER: reader },
    );
    expect(result.stderr).toBe('');
    const [json, status] = result.stdout.split('}');
    expect(status?.trim(), 'exit status of psf-bot').toBe('0');
    const summary = JSON.parse(`${json}}`) as { bytes: number; count: number; first: string; last: string };
    expect(summary.bytes).toBeGreaterThan(4 * 65_536);
    expect(summary.count).toBe(400);
    expect(summary.first).toBe(entryTitle(1));
    expect(summary.last).toBe('Announcing Python Software Foundation Fellow Members for Q2 2025! 🎉');
  });
});

describe('.env', () => {
  it('is read from the working directory, and the environment wins over it', async () => {
    const cwd = mkdtempSync(join(dir, 'project-'));
    writeFileSync(
      join(cwd, '.env'),
      [
        '# as .env.example is meant to be filled in',
        `PSF_FEEDS=fromfile=${FIXTURES.bloggerAtom}`,
        `REDIS_PREFIX=${prefix}`,
        // Nothing listens here: the REDIS_URL of the environment must win.
        'REDIS_URL=redis://127.0.0.1:1',
      ].join('\n'),
    );
    const result = await sh(`"$NODE" "$BIN" poll --once --json`, { NODE: process.execPath, BIN }, cwd);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ feed: 'fromfile', status: 200, new: [], seeded: 25 });
    expect(await redis.zcard(`${prefix}:posts:feed:fromfile`)).toBe(25);
  });
});
