import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testRedisOptions, testRedisWhere } from './helpers/test-redis.js';

// Integration tests talk to the real Redis TEST_REDIS_URL names (default 127.0.0.1:6379). On a fresh machine
// where nothing answers on a local address, start a throwaway redis-server there for the run (no persistence)
// so `npm test` needs no set-up.

function answers(): Promise<boolean> {
  return new Promise((resolve) => {
    const { host, port, username, password } = testRedisOptions();
    const socket = createConnection({ host, port });
    socket.setTimeout(500);
    const auth = password === undefined ? '' : `AUTH ${username ?? 'default'} ${password}\r\n`;
    socket.once('connect', () => socket.write(`${auth}PING\r\n`));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().endsWith('+PONG\r\n'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

let child: ChildProcess | undefined;
let dir: string | undefined;

export async function setup(): Promise<void> {
  if (await answers()) return;
  const { host, port } = testRedisOptions();
  if (host !== '127.0.0.1' && host !== 'localhost') {
    throw new Error(`integration tests need Redis: nothing answers on ${testRedisWhere()} (TEST_REDIS_URL)`);
  }
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error) {
    throw new Error(
      `integration tests need Redis: nothing answers on ${testRedisWhere()} and redis-server is not on PATH`,
    );
  }
  dir = mkdtempSync(join(tmpdir(), 'psf-bot-test-redis-'));
  child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    if (await answers()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`started redis-server for the tests, but it did not answer on ${testRedisWhere()}`);
}

export async function teardown(): Promise<void> {
  child?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
}
