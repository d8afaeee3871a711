import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { expect } from 'vitest';
import { TEST_REDIS_URL } from './test-redis.js';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');

/** The CLI every child runs. */
export const BIN = join(ROOT, 'bin', 'psf-bot.js');

/**
 * Spawns `psf-bot <args>` in an empty folder of its own, removed when it exits: the CLI reads `.env` from its
 * working directory, and neither a developer's `.env` at the repository root (tokens, a real REDIS_URL) nor
 * one anybody left in a fixed folder under /tmp (shared by every checkout on the machine) may reach a child.
 */
export function spawnPsfBot(
  args: string[],
  env: NodeJS.ProcessEnv,
): ChildProcessByStdio<null, Readable, Readable> {
  const cwd = mkdtempSync(join(tmpdir(), 'psf-bot-child-'));
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.once('exit', () => rmSync(cwd, { recursive: true, force: true }));
  return child;
}

/** The Redis every integration test uses, and the REDIS_URL each child gets: TEST_REDIS_URL (test-redis.ts). */
export const REDIS_URL = TEST_REDIS_URL;

/** What one finished `psf-bot` run printed and how it ended. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a child: only PATH/HOME/TMPDIR from ours (so a developer's REDIS_URL or tokens never
 * leak in), then `env`. REDIS_URL is always explicit, so no child ever starts a private redis-server.
 */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG'] as const;
  const base: NodeJS.ProcessEnv = {};
  for (const name of keep) if (process.env[name] !== undefined) base[name] = process.env[name];
  return { ...base, REDIS_URL, PORT: '0', ...env };
}

/** Runs `psf-bot <args>` to completion (killed after `timeoutMs`) and collects its output. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawnPsfBot(args, childEnv(env));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', fail);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

/** The non-empty lines of a text. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

/**
 * What docs/cli.md calls one plain line on stderr: one line, no stack frame, no multi-line dump; failures of
 * the work (exit 1) and usage errors (exit 2) alike start with `psf-bot: `.
 */
export function expectOnePlainLine(stderr: string, start?: RegExp): void {
  expect(lines(stderr), stderr).toHaveLength(1);
  if (start) expect(stderr).toMatch(start);
  expect(stderr).not.toMatch(/^\s+at /m);
}

// Shared with the delivery tests: one implementation each.
export { deleteKeys as deletePrefix, uniquePrefix } from './delivery-fixtures.js';
/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export { freePort as closedPort } from './delivery-processes.js';

/** A post to add on top of a Blogger Atom feed. */
export interface NewEntry {
  /** Makes the id, URL and title unique: `post-90000000000000000<n>`, "Fresh news <n>". */
  n: number;
  publishedAt: Date;
  tags?: string[];
}

/** The Blogger entry id `atomWithEntry` gives entry `n`. */
export function entryId(n: number): string {
  return `tag:blogger.com,1999:blog-4781218476587227457.post-${9_000_000_000_000_000 + n}`;
}

/** The title `atomWithEntry` gives entry `n`. */
export function entryTitle(n: number): string {
  return `Fresh news ${n} from the PSF`;
}

/** A Blogger Atom body with `entries` added on top (newest first, as Blogger lists them). */
export function atomWithEntries(atom: string, entries: NewEntry[]): string {
  const xml = entries
    .map((entry) => {
      const when = entry.publishedAt.toISOString();
      const categories = (entry.tags ?? [])
        .map((tag) => `<category scheme='http://www.blogger.com/atom/ns#' term='${tag}'/>`)
        .join('');
      const url = `https://pyfound.blogspot.com/2026/11/fresh-news-${entry.n}.html`;
      return (
        `<entry><id>${entryId(entry.n)}</id><published>${when}</published><updated>${when}</updated>` +
        `${categories}<title type='text'>${entryTitle(entry.n)}</title>` +
        `<content type='html'>&lt;p&gt;Something new happened at the foundation today.&lt;/p&gt;</content>` +
        `<link rel='alternate' type='text/html' href='${url}' title='${entryTitle(entry.n)}'/>` +
        `<author><name>PSF</name><email>noreply@blogger.com</email></author></entry>`
      );
    })
    .join('');
  const first = atom.indexOf('<entry>');
  return `${atom.slice(0, first)}${xml}${atom.slice(first)}`;
}
