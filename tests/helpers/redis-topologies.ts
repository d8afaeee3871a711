// Private redis-servers for tests that need a Redis Cluster or a Sentinel set-up: each on free loopback
// ports, in its own temporary directory, killed and removed afterwards. The shared Redis on 6379 is never
// touched by them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from './delivery-fixtures.js';

/** Why Cluster and Sentinel tests are skipped here, or null when redis-server is on PATH. */
export const NO_REDIS_SERVER = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error
  ? 'redis-server is not on PATH: the Redis Cluster and Sentinel tests need it (apt-get install redis-server)'
  : null;

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose cluster-bus port (port + 10000) is free too. */
export async function freePortPair(): Promise<number> {
  for (let i = 0; i < 200; i += 1) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await portFree(port)) && (await portFree(port + 10_000))) return port;
  }
  throw new Error('no free loopback port pair found');
}

/** A redis-server (or sentinel) this test started. */
export interface PrivateServer {
  port: number;
  child: ChildProcess;
  /** A plain connection to it, for checks. */
  client(): Redis;
  kill(): Promise<void>;
}

/**
 * Starts one redis-server and waits for it to answer; if it never does, it is killed before the error is
 * thrown (the caller never got it to stop).
 */
export async function startServer(
  args: string[],
  dir: string,
  port: number,
  timeoutMs = 10_000,
): Promise<PrivateServer> {
  const child = spawn('redis-server', args, { cwd: dir, stdio: 'ignore' });
  const server: PrivateServer = {
    port,
    child,
    client: () => new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 }),
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    },
  };
  const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => 50 });
  probe.on('error', () => undefined);
  try {
    await waitFor(
      async () => (await probe.ping().catch(() => null)) === 'PONG',
      `redis on ${port}`,
      timeoutMs,
    );
  } catch (error) {
    await server.kill();
    throw error;
  } finally {
    probe.disconnect();
  }
  return server;
}

const SERVER_ARGS = [
  '--bind',
  '127.0.0.1',
  '--save',
  '',
  '--appendonly',
  'no',
  '--maxmemory-policy',
  'noeviction',
];

/** A set of private servers and their directory; `stop()` kills them all and removes the directory. */
export interface PrivateSet {
  servers: PrivateServer[];
  stop(): Promise<void>;
}

function tracked(dir: string, servers: PrivateServer[]): PrivateSet {
  return {
    servers,
    async stop() {
      await Promise.all(servers.map((server) => server.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Redis Cluster of `masters` masters (no replicas), every slot assigned and the cluster state ok. */
export async function startCluster(
  masters = 3,
): Promise<PrivateSet & { nodes: { host: string; port: number }[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'psf-cluster-'));
  const servers: PrivateServer[] = [];
  const set = tracked(dir, servers);
  try {
    for (let i = 0; i < masters; i += 1) {
      const port = await freePortPair();
      const args = ['--port', String(port), ...SERVER_ARGS, '--cluster-enabled', 'yes'];
      args.push('--cluster-config-file', `nodes-${port}.conf`, '--dir', dir);
      servers.push(await startServer(args, dir, port));
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (created.status !== 0)
      throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    for (const server of servers) {
      const client = server.client();
      try {
        await waitFor(
          async () => (await client.cluster('INFO')).includes('cluster_state:ok'),
          `cluster state ok on ${server.port}`,
          20_000,
        );
      } finally {
        client.disconnect();
      }
    }
    return { ...set, nodes: servers.map((server) => ({ host: '127.0.0.1', port: server.port })) };
  } catch (error) {
    await set.stop();
    throw error;
  }
}

/** A primary, a replica of it, and one sentinel watching it as `name` (quorum 1). */
export async function startSentinelSet(
  name = 'psfprimary',
): Promise<
  PrivateSet & { primary: PrivateServer; replica: PrivateServer; sentinel: PrivateServer; name: string }
> {
  const dir = mkdtempSync(join(tmpdir(), 'psf-sentinel-'));
  const servers: PrivateServer[] = [];
  const set = tracked(dir, servers);
  try {
    const [p1, p2, p3] = [await freePortPair(), await freePortPair(), await freePortPair()];
    const primary = await startServer(['--port', String(p1), ...SERVER_ARGS, '--dir', dir], dir, p1);
    servers.push(primary);
    const replicaArgs = [
      '--port',
      String(p2),
      ...SERVER_ARGS,
      '--dir',
      dir,
      '--replicaof',
      '127.0.0.1',
      String(p1),
    ];
    const replica = await startServer(replicaArgs, dir, p2);
    servers.push(replica);
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${p3}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${p1} 1`,
        `sentinel down-after-milliseconds ${name} 2000`,
        `sentinel failover-timeout ${name} 10000`,
        '',
      ].join('\n'),
    );
    const sentinel = await startServer([conf, '--sentinel'], dir, p3);
    servers.push(sentinel);
    const client = sentinel.client();
    try {
      // A failover needs the sentinel to know the replica, and the replica to be in sync.
      await waitFor(
        async () => ((await client.call('SENTINEL', 'REPLICAS', name)) as unknown[]).length > 0,
        'the sentinel to discover the replica',
        20_000,
      );
    } finally {
      client.disconnect();
    }
    const replicaClient = replica.client();
    try {
      await waitFor(
        async () => (await replicaClient.info('replication')).includes('master_link_status:up'),
        'the replica to sync',
        20_000,
      );
    } finally {
      replicaClient.disconnect();
    }
    return { ...set, primary, replica, sentinel, name };
  } catch (error) {
    await set.stop();
    throw error;
  }
}

/** A TLS-only redis-server with a throwaway CA; `caFile` is what a client must trust (NODE_EXTRA_CA_CERTS). */
export async function startTlsRedis(): Promise<PrivateSet & { port: number; caFile: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'psf-tls-'));
  const servers: PrivateServer[] = [];
  const set = tracked(dir, servers);
  try {
    const openssl = (...args: string[]) => {
      const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`openssl ${args[0]} failed: ${run.stderr}`);
    };
    const days = ['-days', '1'];
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      ...days,
      '-subj',
      '/CN=psf-test-ca',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    );
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
    );
    writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    const sign = [
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-extfile',
      'san.cnf',
    ];
    openssl('x509', '-req', ...sign, ...days, '-out', 'server.pem');
    const port = await freePortPair();
    const tls = [
      '--tls-cert-file',
      'server.pem',
      '--tls-key-file',
      'server.key',
      '--tls-ca-cert-file',
      'ca.pem',
    ];
    const args = [
      '--port',
      '0',
      '--tls-port',
      String(port),
      ...SERVER_ARGS,
      '--dir',
      dir,
      ...tls,
      '--tls-auth-clients',
      'no',
    ];
    const child = spawn('redis-server', args, { cwd: dir, stdio: 'ignore' });
    const ca = readFileSync(join(dir, 'ca.pem'));
    const client = () =>
      new Redis({
        host: '127.0.0.1',
        port,
        tls: { ca },
        maxRetriesPerRequest: 1,
        lazyConnect: true,
        retryStrategy: () => 50,
      });
    servers.push({
      port,
      child,
      client,
      async kill() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await gone;
      },
    });
    const probe = client();
    probe.on('error', () => undefined);
    try {
      await waitFor(
        async () => (await probe.ping().catch(() => null)) === 'PONG',
        `TLS redis on ${port}`,
        10_000,
      );
    } finally {
      probe.disconnect();
    }
    return { ...set, port, caFile: join(dir, 'ca.pem') };
  } catch (error) {
    await set.stop();
    throw error;
  }
}
