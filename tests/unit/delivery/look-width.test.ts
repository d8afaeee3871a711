import { DelayedError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createLookSession, LOOK_WIDTH } from '../../../jobs/delivery/look-session.js';
import type { DeliverDeps, DeliverJobHandle } from '../../../jobs/delivery/deliver.js';
import { reactToRateLimit } from '../../../jobs/delivery/rate-limited.js';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import type { TenantHolds } from '../../../src/delivery/tenant-holds.js';

// Looks in one workspace: several at once where reads are not known to be tight (a proxy outage can leave
// hundreds of looks in one workspace), one at a time after a look met a 429 (Slack's one read a minute).

class Holds implements TenantHolds {
  readonly until = new Map<string, number>();
  async hold(tenant: string, ms: number): Promise<void> {
    this.until.set(tenant, Math.max(this.until.get(tenant) ?? 0, Date.now() + ms));
  }
  async remaining(tenant: string): Promise<number> {
    return Math.max(0, (this.until.get(tenant) ?? 0) - Date.now());
  }
}

const channel = { platform: 'slack' as const, workspaceId: 'T1', channelId: 'C1' };

function session(ahead: number, holds: Holds) {
  const delayed: number[] = [];
  const job = {
    id: 'job-1',
    data: {},
    moveToDelayed: async (at: number) => void delayed.push(at),
  } as unknown as DeliverJobHandle;
  const deps = {
    holds,
    lookTurns: { take: async () => ahead, release: async () => undefined },
  } as unknown as DeliverDeps;
  return { look: createLookSession(deps, job, 'token', channel), delayed, deps, job };
}

describe('looks per workspace', () => {
  it(`lets ${LOOK_WIDTH} looks read at once where no look met a 429`, async () => {
    const holds = new Holds();
    await expect(session(LOOK_WIDTH - 1, holds).look.begin()).resolves.toBeUndefined();
    const { look, delayed } = session(LOOK_WIDTH, holds);
    await expect(look.begin()).rejects.toBeInstanceOf(DelayedError);
    expect(delayed).toHaveLength(1);
  });

  it("goes one at a time for an hour once a look's read was refused with a 429", async () => {
    const holds = new Holds();
    const { deps, job } = session(0, holds);
    const refused = new DeliveryError('rate_limited', 'ratelimited', 'ratelimited', 60_000, 'workspace');
    await reactToRateLimit(deps, job, 'token', channel, refused, true);
    // The Retry-After itself has passed; the mark that reads are tight has not.
    for (const key of holds.until.keys()) if (key.startsWith('look:')) holds.until.delete(key);
    await expect(session(0, holds).look.begin()).resolves.toBeUndefined();
    await expect(session(1, holds).look.begin()).rejects.toBeInstanceOf(DelayedError);
  });
});
