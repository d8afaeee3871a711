import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './delivery-processes.js';
import { waitFor } from './delivery-fixtures.js';

/**
 * A private redis-server on a free loopback port, for tests that restart, flush or kill Redis (never the
 * shared 6379). `persist` turns on an always-fsynced AOF; without it a restart loses every key.
 */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'psf-private-redis-'));

  private constructor(
    readonly port: number,
    private readonly persist: boolean,
  ) {}

  static async start(options: { persist?: boolean } = {}): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), options.persist ?? false);
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get where(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  /** Starts the server (again) and waits until it answers. */
  async up(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', ''];
    args.push('--appendonly', this.persist ? 'yes' : 'no', '--maxmemory-policy', 'noeviction');
    if (this.persist) args.push('--appendfsync', 'always');
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    const probe = new Redis({
      ...this.where,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 50,
    });
    probe.on('error', () => undefined);
    await waitFor(async () => (await probe.ping().catch(() => null)) === 'PONG', 'redis-server', 10_000);
    probe.disconnect();
  }

  /** SIGKILLs the server and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  /** FLUSHALL on this private server only. */
  async flush(): Promise<void> {
    const client = new Redis(this.where);
    await client.flushall();
    await client.quit();
  }

  /** Kills the server and removes its directory. */
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
