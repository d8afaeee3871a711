import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/processes.js';
import { TEST_REDIS_URL } from '../../helpers/test-redis.js';

// `npm run playground` starts the fakes and the bot; `npm run playground -- send …` drives it, signed as each
// platform signs. This test does what its printed instructions say.

const dir = mkdtempSync(join(tmpdir(), 'psf-bot-playground-test-'));
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  REDIS_URL: TEST_REDIS_URL,
  PLAYGROUND_STATE: join(dir, 'state.json'),
};
const runTs = join(ROOT, 'bin', 'run-ts.js');
let playground: ChildProcessByStdio<null, Readable, Readable>;
let output = '';

beforeAll(async () => {
  playground = spawn(process.execPath, [runTs, 'playground/run.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  playground.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  playground.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(
    () => /^ready$/m.test(output),
    'the playground to be ready',
    60_000,
    () => output,
  );
});

afterAll(async () => {
  if (playground.exitCode === null) {
    const exited = new Promise((resolve) => playground.once('exit', resolve));
    playground.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

function send(platform: string, command: string): string {
  const result = spawnSync(process.execPath, [runTs, 'playground/run.ts', 'send', platform, command], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

describe('the playground', () => {
  it('says how to send a command as each platform and where the messages show', () => {
    expect(output).toContain('npm run playground -- send discord "/psf latest 3"');
    expect(output).toContain('npm run playground -- send slack "/psf search pycon"');
    expect(output).toMatch(/every message the bot posts to a fake channel prints below/);
  });

  it('answers a signed Discord interaction with the fixture posts', () => {
    const reply = JSON.parse(send('discord', '/psf latest 2')) as { embeds: { title: string }[] };
    expect(reply.embeds.map((embed) => embed.title)).toEqual([
      "Python is for Everyone: Inside the PSF's D&I Work Group",
      'Introducing the PSF Community Partner Program',
    ]);
  });

  it('answers a signed Slack slash command, the reply showing in the playground', async () => {
    expect(send('slack', '/psf latest 1')).toMatch(/response_url/);
    await waitFor(
      () => /^\[slack reply\] .*Latest post from psf/m.test(output),
      'the Slack reply',
      30_000,
      () => output,
    );
  });

  it('stops cleanly, removing its state', async () => {
    const exited = new Promise<number | null>((resolve) => playground.once('exit', resolve));
    playground.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(env.PLAYGROUND_STATE)).toBe(false);
  });
});
