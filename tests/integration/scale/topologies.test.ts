import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/delivery-fixtures.js';
import { freePortPair, NO_REDIS_SERVER, portFree, startServer } from '../../helpers/redis-topologies.js';

// The helpers that start private redis-servers must never leave one running, even when it fails to start.

describe.skipIf(NO_REDIS_SERVER !== null)(NO_REDIS_SERVER ?? 'private redis-server helpers', () => {
  it('kills a redis-server that never answers PONG instead of leaving it running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'psf-topologies-'));
    try {
      const port = await freePortPair();
      // With a password the probe's PING gets NOAUTH, never PONG: the start fails after its timeout.
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--requirepass', 'x'];
      await expect(startServer(args, dir, port, 1_000)).rejects.toThrow(/redis on/);
      await waitFor(() => portFree(port), `port ${port} to be released`, 5_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
