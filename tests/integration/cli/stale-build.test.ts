import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../../helpers/cli.js';

/** A checkout laid out like the repository (bin/, package.json, node_modules/), with the given files in it. */
function checkout(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'psf-bot-layout-'));
  mkdirSync(join(dir, 'bin'));
  copyFileSync(BIN, join(dir, 'bin', 'psf-bot.js'));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** A CLI entry point that says which copy ran. */
const says = (which: string, ts: boolean): string =>
  `export async function main(args${ts ? ': string[]' : ''}) { process.stdout.write('${which} ' + args.join(' ') + '\\n'); return 0; }\n`;

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function run(files: Record<string, string>): string {
  const dir = checkout(files);
  made.push(dir);
  const result = spawnSync(process.execPath, [join(dir, 'bin', 'psf-bot.js'), 'status'], {
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}

describe('which CLI bin/psf-bot.js runs', () => {
  it('runs the sources in a checkout even when an older dist/ from `npm run build` is there', () => {
    const stdout = run({
      'jobs/cli.ts': says('sources', true),
      'dist/jobs/cli.js': says('stale dist', false),
    });
    expect(stdout).toBe('sources status');
  });

  it('runs the sources when nothing was built', () => {
    expect(run({ 'jobs/cli.ts': says('sources', true) })).toBe('sources status');
  });

  it('runs dist/ where the sources are not shipped (the Docker image)', () => {
    expect(run({ 'dist/jobs/cli.js': says('built', false) })).toBe('built status');
  });
});
