import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { FIXTURES } from '../../helpers/fixtures.js';
import { NO_REDIS_SERVER, startTlsRedis } from '../../helpers/redis-topologies.js';

// rediss:// against a private TLS-only redis-server (its own throwaway CA, trusted by the child through
// NODE_EXTRA_CA_CERTS, as an operator would): the stores, BullMQ and doctor all speak TLS.

let tls: Awaited<ReturnType<typeof startTlsRedis>> | undefined;

beforeAll(async () => {
  if (!NO_REDIS_SERVER) tls = await startTlsRedis();
}, 60_000);

afterAll(async () => {
  await tls?.stop();
});

describe.skipIf(NO_REDIS_SERVER !== null)(NO_REDIS_SERVER ?? 'rediss:// (TLS)', () => {
  const env = () => ({
    REDIS_URL: `rediss://127.0.0.1:${tls!.port}`,
    NODE_EXTRA_CA_CERTS: tls!.caFile,
    PSF_FEEDS: `psf=${FIXTURES.bloggerAtom}`,
  });

  it('polls into a TLS-only Redis and answers a lookup from it', async () => {
    const poll = await runCli(['poll', '--once', '--json'], env());
    expect(poll.code, poll.stderr).toBe(0);
    expect(JSON.parse(poll.stdout.trim())).toMatchObject({ feed: 'psf', status: 200, seeded: 25 });
    const ask = await runCli(['ask', 'latest 1', '--json'], env());
    expect(ask.code, ask.stderr).toBe(0);
    expect(ask.stdout).toContain('"kind"');
    const keys = tls!.servers[0]!.client();
    try {
      expect(await keys.hlen('psf:posts')).toBe(25);
    } finally {
      keys.disconnect();
    }
  });

  it('doctor checks it over TLS', async () => {
    const doctor = await runCli(['doctor'], env());
    expect(doctor.stdout).toMatch(
      /ok +redis: reachable +rediss:\/\/127\.0\.0\.1:\d+ answers \(single server\)/,
    );
    expect(doctor.stdout).toMatch(/ok +redis: eviction policy +noeviction/);
  });
});
