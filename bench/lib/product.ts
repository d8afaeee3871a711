import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { stopChild } from './peer.js';
import { productEnv } from './pipeline.js';

const CLI = fileURLToPath(new URL('../../bin/psf-bot.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A `psf-bot start` child process. */
export interface ProductProcess {
  child: ChildProcess;
  /** The HTTP port it logged on start. */
  port: number;
  /** Its stdout and stderr so far (JSON log lines), for failure messages. */
  output(): string;
  /** A field of /proc/<pid>/status in MB (`VmHWM` is the peak resident set, `VmRSS` the current one). */
  memoryMb(field: 'VmHWM' | 'VmRSS'): Promise<number>;
  /** SIGTERM (graceful), then SIGKILL if it is still running after 30 s. */
  stop(): Promise<void>;
}

/** Children still running: a run cut short stops them on its way out. */
const running = new Set<ChildProcess>();

/** Stops every product child still running (a scenario over its time limit). */
export async function stopAllProducts(): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child)));
}

/** Only what a shell needs, so nothing from the caller's environment configures the product by accident. */
function childEnv(env: Record<string, string>): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG'] as const;
  const base = Object.fromEntries(
    keep.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])),
  );
  return { ...base, PORT: '0', ...env };
}

/**
 * Starts `node <cli> start --role <role>` (the work tree's bin/psf-bot.js unless a compiled copy's is
 * given) and waits for its "psf-bot started" log line.
 */
export async function startProduct(
  role: string,
  env: Record<string, string>,
  options: { cli?: string; entry?: string[]; timeoutMs?: number } = {},
): Promise<ProductProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const command = options.entry ?? [options.cli ?? CLI];
  const child = spawn(process.execPath, [...command, 'start', '--role', role], {
    cwd: ROOT,
    env: childEnv(productEnv(env)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  let port: number | null = null;
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
    if (port !== null) return;
    const started = /\{[^\n]*"msg":"psf-bot started"[^\n]*\}\n/.exec(output)?.[0];
    if (started) port = (JSON.parse(started) as { port: number }).port;
  });
  const deadline = Date.now() + timeoutMs;
  while (port === null) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`psf-bot start --role ${role} did not start:\n${output.slice(-3_000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    port,
    output: () => output,
    async memoryMb(field) {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
      return kb / 1024;
    },
    stop: () => stopChild(child, 30_000),
  };
}
