import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { confirmSuspects } from '../../../jobs/delivery/confirm-access.js';
import type { AccessCheck, Announcer } from '../../../src/delivery/announcer.js';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import { guardScope, RedisDisableGuard } from '../../../src/delivery/disable-guard.js';
import { silentLogger } from '../../../src/logger.js';
import type { Platform } from '../../../src/posts/post.js';
import { RedisSubscriptionStore } from '../../../src/subscriptions/redis-subscription-store.js';
import type { ChannelRef } from '../../../src/subscriptions/subscription-store.js';
import { deleteKeys, makeSubscription, uniquePrefix } from '../../helpers/delivery-fixtures.js';

let redis: Redis;
let prefix: string;
let guard: RedisDisableGuard;
let subscriptions: RedisSubscriptionStore;

beforeAll(() => {
  redis = new Redis({ host: '127.0.0.1', port: 6379 });
});
afterEach(async () => {
  await deleteKeys(redis, prefix);
});
afterAll(async () => {
  await redis.quit();
});

const channel = (platform: Platform, workspaceId: string, channelId: string): ChannelRef => ({
  platform,
  workspaceId,
  channelId,
});

/** Subscribes the channels, then has each answer a lost-access code until the guard trips over them. */
async function tripOver(channels: readonly ChannelRef[], code: string): Promise<void> {
  prefix = uniquePrefix('confirm-access');
  guard = new RedisDisableGuard(redis, prefix);
  subscriptions = new RedisSubscriptionStore(redis, prefix);
  for (const ref of channels) await subscriptions.put(makeSubscription(0, ref));
  let i = 0;
  for (const ref of channels) {
    const verdict = await guard.lost(ref, `${code}: refused`, `job-${(i += 1)}`, code);
    if (verdict.action === 'disable') await subscriptions.disable(ref, `${code}: refused`);
  }
  expect(await guard.tripped(guardScope(channels[0]!))).not.toBeNull();
}

/** An announcer port whose confirmation answers from a table (no platform behind it). */
function answering(verdicts: (ref: ChannelRef) => AccessCheck): Pick<Announcer, 'confirmAccess'> {
  return { confirmAccess: async (suspects) => suspects.map(({ channel: ref }) => verdicts(ref)) };
}

const deps = (announcer: Pick<Announcer, 'confirmAccess'>, platform: Platform) => ({
  platform,
  guard,
  announcer,
  subscriptions,
  logger: silentLogger(),
});

describe('confirming the guard suspects', () => {
  it('disables what the platform confirms, re-enables what it shows, holds what it cannot answer for, and takes a reachable channel at its word', async () => {
    const gone = ['C1', 'C2'].map((id) => channel('discord', 'G-GONE', id));
    const [refused, fine] = [channel('discord', 'G-HERE', 'C3'), channel('discord', 'G-HERE', 'C4')];
    const unknown = channel('discord', 'G-HERE', 'C5');
    const untried = channel('discord', 'G-GONE', 'C6');
    await tripOver([...gone, refused, fine, unknown], '50001');
    await subscriptions.put(makeSubscription(0, untried));
    const settled = await confirmSuspects(
      deps(
        answering((ref) =>
          ref.workspaceId === 'G-GONE'
            ? { channel: ref, verdict: 'lost', reason: '50001: the bot was removed', workspace: true }
            : ref.channelId === 'C3'
              ? { channel: ref, verdict: 'lost', reason: '10003: Unknown Channel' }
              : ref.channelId === 'C4'
                ? { channel: ref, verdict: 'reachable' }
                : { channel: ref, verdict: 'unknown', reason: 'http_503' },
        ),
        'discord',
      ),
      'discord',
    );
    // C5's answer (a 503) proved nothing: it stays held for the next round.
    expect(settled).toEqual({ asked: true, held: 1 });
    const reasons = Object.fromEntries(
      (await subscriptions.list()).map((sub) => [sub.channelId, sub.disabledReason]),
    );
    // The whole server, the channel it never tried included; the other server's refused channel alone.
    expect(reasons).toEqual({
      C1: '50001: the bot was removed',
      C2: '50001: the bot was removed',
      C6: '50001: the bot was removed',
      C3: '10003: Unknown Channel',
      C4: null,
      C5: null,
    });
    expect((await guard.suspects('discord')).map((suspect) => suspect.channel.channelId)).toEqual(['C5']);
    const redriven = (await guard.redrives('discord')).map((entry) => entry.channel.channelId).sort();
    expect(redriven).toEqual(['C4']);
    // The pause lifts; C5 stays held (its jobs skip and wait for re-drive), C4 may run again.
    await guard.clear('discord');
    expect(await guard.tripped('discord')).toBeNull();
    expect(await guard.heldScopes('discord')).toEqual(['discord']);
    expect(await guard.admit(unknown, 'job-held')).toBe('held');
    expect(await guard.admit(fine, 'job-fine')).toBe('clear');
    const held = (await guard.redrives('discord')).find((entry) => entry.jobId === 'job-held')!;
    expect(await guard.redrivable(held.member, unknown)).toBe(false);
    // Its next lost-access answer is held too, and so is that of another channel of its server.
    expect(await guard.lost(unknown, '50001: refused', 'job-10', '50001')).toEqual({ action: 'held' });
    const sibling = channel('discord', 'G-HERE', 'C7');
    expect(await guard.lost(sibling, '50001: refused', 'job-11', '50001')).toEqual({ action: 'held' });
    // Discord then shows both: they are released and their jobs may run.
    expect(await guard.settle('discord', { lost: [], reachable: [unknown, sibling], unknown: [] })).toBe(0);
    expect(await guard.redrivable(held.member, unknown)).toBe(true);
    expect(await guard.heldScopes('discord')).toEqual([]);
    // Found reachable: its next lost-access answer disables it at once, without counting toward a trip, even
    // when four other answers in the window would make it the fifth.
    for (const id of ['X1', 'X2', 'X3', 'X4'])
      expect((await guard.lost(channel('discord', 'G-ELSE', id), '50001: refused', id, '50001')).action).toBe(
        'disable',
      );
    expect(await guard.lost(fine, '50013: Missing Permissions', 'job-9', '50013')).toEqual({
      action: 'disable',
    });
    expect(await guard.tripped('discord')).toBeNull();
  });

  it('drops the re-drive of a job skipped for a held channel once the platform confirms the loss', async () => {
    const refs = ['C1', 'C2', 'C3', 'C4', 'C5'].map((id) => channel('discord', 'G1', id));
    await tripOver(refs, '50001');
    await guard.clear('discord');
    // A job for a held channel skips, noted for re-drive; the platform then confirms the server is gone.
    expect(await guard.admit(refs[4]!, 'job-skipped')).toBe('held');
    const gone = answering((ref) => ({
      channel: ref,
      verdict: 'lost',
      reason: '50001: the bot was removed',
      workspace: true,
    }));
    expect(await confirmSuspects(deps(gone, 'discord'), 'discord')).toEqual({ asked: true, held: 0 });
    expect(await guard.redrives('discord')).toEqual([]);
    expect(await guard.heldScopes('discord')).toEqual([]);
    expect(await guard.admit(refs[4]!, 'job-later')).toBe('clear');
    expect((await subscriptions.list()).map((sub) => sub.disabledReason)).toEqual(
      refs.map(() => '50001: the bot was removed'),
    );
  });

  it('changes nothing and keeps every suspect held when the platform cannot be asked', async () => {
    const refs = ['C1', 'C2', 'C3', 'C4', 'C5'].map((id) => channel('discord', 'G1', id));
    await tripOver(refs, '50001');
    const before = await subscriptions.list();
    const failing = {
      confirmAccess: async (): Promise<AccessCheck[]> => {
        throw DeliveryError.transient('http_503', '503 Service Unavailable');
      },
    };
    expect(await confirmSuspects(deps(failing, 'discord'), 'discord')).toEqual({ asked: false, held: 5 });
    expect(await subscriptions.list()).toEqual(before);
    expect(await guard.suspects('discord')).toHaveLength(5);
  });

  it('re-enables every suspect when the platform has no way to confirm', async () => {
    const refs = ['C1', 'C2', 'C3', 'C4', 'C5'].map((id) => channel('console', 'w1', id));
    await tripOver(refs, 'gone');
    expect(await confirmSuspects(deps({}, 'console'), 'console')).toEqual({ asked: true, held: 0 });
    expect((await subscriptions.list()).map((sub) => sub.disabledReason)).toEqual(refs.map(() => null));
  });

  it('an uninstalled Slack workspace stays removed, whatever Slack then says about its channels', async () => {
    const refs = ['C1', 'C2', 'C3', 'C4', 'C5'].map((id) => channel('slack', 'T1', id));
    await tripOver(refs, 'channel_not_found');
    expect(await subscriptions.removeWorkspace('slack', 'T1')).toBe(5);
    const scope = guardScope(refs[0]!);
    const halves = answering((ref) =>
      ref.channelId < 'C3'
        ? { channel: ref, verdict: 'reachable' }
        : { channel: ref, verdict: 'lost', reason: 'channel_not_found: gone' },
    );
    expect(await confirmSuspects(deps(halves, 'slack'), scope)).toEqual({ asked: true, held: 0 });
    expect(await subscriptions.list()).toEqual([]);
    // Nothing is left to hold there, so nothing is asked again round after round.
    await guard.clear(scope);
    expect(await guard.heldScopes('slack')).toEqual([]);
  });
});
