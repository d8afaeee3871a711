import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { ChildConfig } from './delivery-worker-child.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** A running child worker process. */
export interface ChildWorker {
  process: ChildProcess;
  /** Output so far, for failure messages. */
  output(): string;
  /** SIGKILL, and wait until it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful close), and wait until it is gone. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

/** Starts `delivery-worker-child.ts` through tsx and resolves once it prints "ready". */
export async function startChildWorker(config: ChildConfig, timeoutMs = 30_000): Promise<ChildWorker> {
  const child = spawn(
    process.execPath,
    ['bin/run-ts.js', 'tests/helpers/delivery-worker-child.ts', JSON.stringify(config)],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const handle: ChildWorker = {
    process: child,
    output: () => output,
    kill: async () => {
      child.kill('SIGKILL');
      await exited(child);
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (!output.includes('ready')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker ${config.name} did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return handle;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? done(address.port) : fail(new Error('no port')),
      );
    });
  });
}
