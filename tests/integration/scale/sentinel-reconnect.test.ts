import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { sentinelTarget, type RedisTarget } from '../../../jobs/redis-targets.js';
import { waitFor } from '../../helpers/delivery-fixtures.js';
import { FakeSentinel } from '../../fakes/redis/fake-sentinel.js';
import {
  NO_REDIS_SERVER,
  freePortPair,
  startServer,
  type PrivateServer,
} from '../../helpers/redis-topologies.js';

// A failover announced while a connection is between primaries: the old primary is gone, the connection is
// asking the sentinel where the primary is now, and the sentinel's `+switch-master` arrives before its
// answer (what a loaded machine makes likely). ioredis's failover detector then aborts that reconnect, and
// a plain ioredis connection ends for good ("Connection is closed." for every later command). Both of the
// bot's kinds of connection must reach the new primary instead: its own, and the one BullMQ queues share.
// Two private redis-servers stand in for the primaries; the sentinel is a fake the test steers.

const NAME = 'psfprimary';
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function primaries(): Promise<[PrivateServer, PrivateServer]> {
  const dir = mkdtempSync(join(tmpdir(), 'psf-reconnect-'));
  const servers: PrivateServer[] = [];
  cleanups.push(async () => {
    await Promise.all(servers.map((server) => server.kill()));
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 2; i++) {
    const port = await freePortPair();
    servers.push(await startServer(['--port', String(port), '--bind', '127.0.0.1', '--save', ''], dir, port));
  }
  return [servers[0]!, servers[1]!];
}

/** Kills `old`, holds the reconnects at the sentinel, announces `next`, then lets the sentinel answer. */
async function failOverWhileReconnecting(
  sentinel: FakeSentinel,
  old: PrivateServer,
  next: PrivateServer,
  reconnecting: number,
): Promise<void> {
  sentinel.hold();
  await old.kill();
  await waitFor(() => sentinel.held >= reconnecting, `${reconnecting} reconnects asking the sentinel`);
  sentinel.switchTo({ host: '127.0.0.1', port: next.port });
  // Each failover detector lets go of its sentinel connection once it has acted on the announcement.
  await waitFor(() => sentinel.subscribers === 0, 'the failover detectors to act on +switch-master');
  sentinel.answerHeld();
}

async function setUp(): Promise<{
  sentinel: FakeSentinel;
  target: RedisTarget;
  old: PrivateServer;
  next: PrivateServer;
}> {
  const [old, next] = await primaries();
  const sentinel = new FakeSentinel(NAME, { host: '127.0.0.1', port: old.port });
  await sentinel.start();
  cleanups.push(() => sentinel.stop());
  const target = sentinelTarget([{ host: '127.0.0.1', port: sentinel.port }], NAME, {});
  cleanups.push(() => target.release());
  return { sentinel, target, old, next };
}

describe.skipIf(NO_REDIS_SERVER !== null)(NO_REDIS_SERVER ?? 'a failover announced mid-reconnect', () => {
  it('the bot’s own connection reaches the new primary instead of closing for good', async () => {
    const { sentinel, target, old, next } = await setUp();
    const redis = target.connect();
    redis.on('error', () => undefined);
    cleanups.push(() => redis.disconnect());
    await redis.connect();
    await redis.set('psf-reconnect:where', 'old');
    await waitFor(() => sentinel.subscribers === 1, 'the failover detector to subscribe');

    await failOverWhileReconnecting(sentinel, old, next, 1);

    await waitFor(
      async () => (await redis.ping().catch(() => null)) === 'PONG',
      'the connection to answer from the new primary',
    );
    expect(await redis.get('psf-reconnect:where')).toBeNull(); // it is the new server, not a cached answer
    expect(redis.status).toBe('ready');
  }, 60_000);

  it('BullMQ queues reach the new primary instead of failing with "Connection is closed."', async () => {
    const { sentinel, target, old, next } = await setUp();
    const queue = new Queue('reconnect', { connection: target.connection, prefix: 'psf-reconnect' });
    queue.on('error', () => undefined);
    cleanups.push(() => queue.close());
    await queue.add('before', {});
    expect(await queue.count()).toBe(1);
    await waitFor(() => sentinel.subscribers >= 1, 'the failover detector to subscribe');

    await failOverWhileReconnecting(sentinel, old, next, sentinel.subscribers);

    await waitFor(
      async () => (await queue.count().catch(() => null)) === 0,
      'the queue to read the new (empty) primary',
    );
    await queue.add('after', {});
    expect(await queue.count()).toBe(1);
  }, 60_000);
});
