import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiscordAnnouncer } from '../../../adapters/discord/announcer.js';
import { confirmSuspects } from '../../../jobs/delivery/confirm-access.js';
import type { DeliverDeps, DeliverJobHandle } from '../../../jobs/delivery/deliver.js';
import { holdOrNoteSkip } from '../../../jobs/delivery/failure.js';
import { loadTarget } from '../../../jobs/delivery/load-target.js';
import type { DeliverJob } from '../../../jobs/queues.js';
import { GuardWake, startGuardProbe } from '../../../jobs/delivery/guard-probe.js';
import { RedisDisableGuard } from '../../../src/delivery/disable-guard.js';
import { silentLogger } from '../../../src/logger.js';
import { RedisSubscriptionStore } from '../../../src/subscriptions/redis-subscription-store.js';
import type { SubscriptionStore } from '../../../src/subscriptions/subscription-store.js';
import type { ChannelRef } from '../../../src/subscriptions/subscription-store.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { BOT_USER } from '../../fakes/discord/fake-rest.js';
import { FAKE_APPLICATION_ID, ok } from '../../fakes/discord/wire.js';
import { deleteKeys, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';

let redis: Redis;
let discord: FakeDiscord;
let prefix: string;

beforeAll(async () => {
  redis = new Redis({ host: '127.0.0.1', port: 6379 });
  discord = await FakeDiscord.start();
});
afterEach(async () => {
  await deleteKeys(redis, prefix);
  discord.rest.bot = { userId: BOT_USER.id, applicationId: FAKE_APPLICATION_ID };
});
afterAll(async () => {
  await redis.quit();
  await discord.stop();
});

const OTHER_BOT = '955000000000000009';

/** Five channels of one server trip the guard; the probe then cleared the pause, so they are held suspects. */
async function heldSuspects(guildId: string, base: string) {
  prefix = uniquePrefix('guard-review');
  const guard = new RedisDisableGuard(redis, prefix);
  const subscriptions = new RedisSubscriptionStore(redis, prefix);
  const channels: ChannelRef[] = Array.from({ length: 5 }, (_, i) => ({
    platform: 'discord',
    workspaceId: guildId,
    channelId: `${base}${String(100 + i)}`,
  }));
  discord.rest.guilds.add(
    guildId,
    channels.map((ref) => ref.channelId),
  );
  for (const ref of channels) await subscriptions.put(makeSubscription(0, ref));
  for (const [i, ref] of channels.entries()) {
    const verdict = await guard.lost(ref, '50001: Missing Access', `job-${i}`, '50001');
    if (verdict.action === 'disable') await subscriptions.disable(ref, '50001: Missing Access');
  }
  await guard.clear('discord');
  expect(await guard.heldScopes('discord')).toEqual(['discord']);
  return { guard, subscriptions, channels };
}

describe('mass-disable guard review', () => {
  it('never confirms a server lost from another bot’s server list (the token changed since the probe)', async () => {
    const guild = '820000000000000001';
    const { guard, subscriptions } = await heldSuspects(guild, '8210000000000');
    // A restart with another bot's token, whose identity check at start failed (a 5xx): that bot's server
    // list lacks the subscribed server, so the confirmation would call it removed.
    discord.rest.bot = { userId: OTHER_BOT, applicationId: OTHER_BOT };
    discord.rest.guilds.remove(guild);
    const announcer = new DiscordAnnouncer({
      token: FAKE_TOKEN,
      apiUrl: discord.apiUrl,
      applicationId: FAKE_APPLICATION_ID,
    });
    const errors: unknown[] = [];
    const outcome = await confirmSuspects(
      {
        platform: 'discord',
        guard,
        announcer,
        subscriptions,
        logger: silentLogger(),
        onError: (error) => errors.push(error),
      },
      'discord',
    );
    expect(outcome).toEqual({ asked: false, held: 5 });
    expect(errors).toMatchObject([{ kind: 'auth', code: 'wrong_bot' }]);
    expect((await subscriptions.list()).map((sub) => sub.disabledReason)).not.toContainEqual(
      expect.stringContaining('removed'),
    );
    expect(await guard.suspects('discord')).toHaveLength(5);
    discord.rest.guilds.removed.delete(guild);
  });

  it('gives up on a server list whose pages do not advance (a proxy ignoring `after`) instead of paging forever', async () => {
    const guild = '830000000000000001';
    const { guard, subscriptions } = await heldSuspects(guild, '8310000000000');
    const page = Array.from({ length: 200 }, (_, i) => ({
      id: String(840000000000000000n + BigInt(i)),
      name: 'g',
      icon: null,
      owner: false,
      permissions: '0',
    }));
    discord.rest.cue('GET', /^\/users\/@me\/guilds$/, ok(page), 20);
    const before = discord.rest.find('GET', /^\/users\/@me\/guilds$/).length;
    const announcer = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl });
    try {
      const outcome = await confirmSuspects(
        { platform: 'discord', guard, announcer, subscriptions, logger: silentLogger() },
        'discord',
      );
      expect(outcome).toEqual({ asked: false, held: 5 });
      expect(discord.rest.find('GET', /^\/users\/@me\/guilds$/).length - before).toBeLessThanOrEqual(2);
      expect((await subscriptions.list()).filter((sub) => sub.disabledReason?.includes('removed'))).toEqual(
        [],
      );
    } finally {
      // Spend the cues left so later tests read the real list.
      while (discord.rest.find('GET', /^\/users\/@me\/guilds$/).length - before < 20)
        await fetch(`${discord.apiUrl}/v10/users/@me/guilds`, {
          headers: { authorization: `Bot ${FAKE_TOKEN}` },
        });
    }
  });

  it('lifting the pause runs the jobs it parked, not a digest whose period has not ended', async () => {
    prefix = uniquePrefix('guard-review');
    const guard = new RedisDisableGuard(redis, prefix);
    const queue = new Queue('deliver-discord', { connection: redis.duplicate(), prefix });
    const periodEnd = new Date(Date.now() + 3_600_000).toISOString();
    const digest = await queue.add(
      'digest',
      {
        action: 'digest',
        platform: 'discord',
        workspaceId: '1',
        channelId: '2',
        cadence: 'daily',
        periodEnd,
      },
      { jobId: 'digest-1', delay: 3_600_000 },
    );
    const parked = await queue.add('deliver', { action: 'deliver' }, { jobId: 'parked-1', delay: 30_000 });
    await guard.trip('discord', 'tripped for the test');
    const stop = startGuardProbe({
      platform: 'discord',
      guard,
      announcer: { platform: 'discord', announce: async () => ({ messageId: 'm' }), probe: async () => {} },
      queue,
      subscriptions: new RedisSubscriptionStore(redis, prefix),
      logger: silentLogger(),
      baseMs: 50,
    });
    try {
      await waitFor(async () => (await parked.getState()) === 'waiting', 'the parked job to be promoted');
      // Another round (the loop promotes once more after a clear).
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await digest.getState()).toBe('delayed');
    } finally {
      stop();
      await queue.close();
    }
  });

  it('a job skipped for a disabled channel as the guard trips over that channel is re-driven or waits', async () => {
    prefix = uniquePrefix('guard-review');
    const guard = new RedisDisableGuard(redis, prefix);
    const channelOf = (id: string): ChannelRef => ({ platform: 'discord', workspaceId: '1', channelId: id });
    const disabled = channelOf('C0');
    // C0 lost access (disabled as usual); a later job for it is skipped, noted in case the guard trips.
    expect((await guard.lost(disabled, '50001: Missing Access', 'job-a', '50001')).action).toBe('disable');
    // Four other channels lose access right after that job's first look at the guard: the guard trips.
    let tripped = false;
    const tripNow = async () => {
      if (tripped) return;
      tripped = true;
      for (const id of ['C1', 'C2', 'C3', 'C4'])
        await guard.lost(channelOf(id), '50001: x', `job-${id}`, '50001');
      expect(await guard.tripped('discord')).not.toBeNull();
    };
    const racing = new Proxy(guard, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          await tripNow();
          return result;
        };
      },
    });
    const job = { id: 'job-b', moveToDelayed: async () => {} } as unknown as DeliverJobHandle;
    const parked = await holdOrNoteSkip({ guard: racing }, job, 'token', disabled).then(
      () => false,
      () => true,
    );
    const listed = (await guard.redrives('discord')).some((entry) => entry.jobId === 'job-b');
    // Either it waits for the guard (parked in delayed) or it is listed to run again: never skipped for good.
    expect(parked || listed).toBe(true);
  });

  it('a job that read its subscription disabled just as the platform cleared the held channel is not lost', async () => {
    const guild = '850000000000000001';
    const { guard, subscriptions, channels } = await heldSuspects(guild, '8510000000000');
    const target = channels[0]!;
    expect((await subscriptions.get(target))?.disabledReason).not.toBeNull();
    // The confirmation round (Discord shows every channel) lands right after this job read the subscription.
    const reachable = {
      confirmAccess: async (suspects: readonly { channel: ChannelRef }[]) =>
        suspects.map(({ channel }) => ({ channel, verdict: 'reachable' as const })),
    };
    let confirmed = false;
    const racing: Pick<SubscriptionStore, 'get'> = {
      get: async (ref) => {
        const read = await subscriptions.get(ref);
        if (!confirmed) {
          confirmed = true;
          await confirmSuspects(
            { platform: 'discord', guard, announcer: reachable, subscriptions, logger: silentLogger() },
            'discord',
          );
        }
        return read;
      },
    };
    const data: DeliverJob = {
      feed: 'psf',
      postId: 'p1',
      announcedAt: new Date().toISOString(),
      platform: 'discord',
      workspaceId: guild,
      channelId: target.channelId,
    };
    const deps = {
      subscriptions: racing,
      guard,
      logger: silentLogger(),
      posts: { get: async () => ({ id: 'p1' }) },
    } as unknown as DeliverDeps;
    const job = { id: 'job-late', moveToDelayed: async () => {} } as unknown as DeliverJobHandle;
    const loaded = await loadTarget(deps, job, data, target, 'token');
    const listed = (await guard.redrives('discord')).some((entry) => entry.jobId === 'job-late');
    // It goes ahead (the channel is enabled again) or is listed to run again once cleared.
    expect('status' in loaded && !listed ? loaded : 'delivered or re-driven').toBe('delivered or re-driven');
  });

  it('a probe round that finds another bot’s token while confirming pauses the platform and disables nothing', async () => {
    const guild = '860000000000000001';
    const { guard, subscriptions } = await heldSuspects(guild, '8610000000000');
    discord.rest.bot = { userId: OTHER_BOT, applicationId: OTHER_BOT };
    discord.rest.guilds.remove(guild);
    const queue = new Queue('deliver-discord', { connection: redis.duplicate(), prefix });
    const stop = startGuardProbe({
      platform: 'discord',
      guard,
      announcer: new DiscordAnnouncer({
        token: FAKE_TOKEN,
        apiUrl: discord.apiUrl,
        applicationId: FAKE_APPLICATION_ID,
      }),
      queue,
      subscriptions,
      logger: silentLogger(),
      baseMs: 50,
    });
    try {
      await waitFor(async () => (await guard.tripped('discord')) !== null, 'Discord to pause');
      expect(await queue.isPaused()).toBe(true);
      expect((await guard.tripped('discord'))?.reason).toContain(OTHER_BOT);
      expect((await subscriptions.list()).filter((sub) => sub.disabledReason?.includes('removed'))).toEqual(
        [],
      );
      expect(await guard.suspects('discord')).toHaveLength(5);
    } finally {
      stop();
      await queue.close();
      discord.rest.guilds.removed.delete(guild);
    }
  });

  it('a server missing from a short server list is confirmed gone by Discord itself before its channels are disabled', async () => {
    const guild = '870000000000000001';
    const { guard, subscriptions } = await heldSuspects(guild, '8710000000000');
    // A list that left the server out (a proxy's truncated page, a stale cache): Discord still shows its channels.
    discord.rest.cue('GET', /^\/users\/@me\/guilds$/, ok([]));
    const announcer = new DiscordAnnouncer({ token: FAKE_TOKEN, apiUrl: discord.apiUrl });
    const outcome = await confirmSuspects(
      { platform: 'discord', guard, announcer, subscriptions, logger: silentLogger() },
      'discord',
    );
    expect(outcome).toEqual({ asked: true, held: 0 });
    expect((await subscriptions.list()).map((sub) => sub.disabledReason)).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);

    await deleteKeys(redis, prefix);
    // Really removed: the list lacks it and Discord refuses its channel, so the whole server is disabled.
    const gone = await heldSuspects('870000000000000002', '8720000000000');
    discord.rest.guilds.remove('870000000000000002');
    const before = discord.rest.requests.length;
    expect(
      await confirmSuspects(
        {
          platform: 'discord',
          guard: gone.guard,
          announcer,
          subscriptions: gone.subscriptions,
          logger: silentLogger(),
        },
        'discord',
      ),
    ).toEqual({ asked: true, held: 0 });
    expect((await gone.subscriptions.list()).map((sub) => sub.disabledReason)).toEqual(
      Array.from({ length: 5 }, () => '50001: the bot was removed from this server'),
    );
    // The list, and one channel of the server: not one request per channel.
    expect(discord.rest.requests.length - before).toBe(2);
    discord.rest.guilds.removed.delete('870000000000000002');
  });

  it('a storm of trips wakes the probe at most once per first back-off, not once per trip', async () => {
    prefix = uniquePrefix('guard-review');
    const guard = new RedisDisableGuard(redis, prefix);
    const queue = new Queue('deliver-discord', { connection: redis.duplicate(), prefix });
    const wake = new GuardWake();
    let probes = 0;
    const stop = startGuardProbe({
      platform: 'discord',
      guard,
      announcer: {
        platform: 'discord',
        announce: async () => ({ messageId: 'm' }),
        probe: async () => {
          probes += 1;
        },
      },
      queue,
      subscriptions: new RedisSubscriptionStore(redis, prefix),
      logger: silentLogger(),
      baseMs: 500,
      wake,
    });
    try {
      // A trip every 50 ms for 1.5 s, each ringing the probe awake as a job that trips does.
      for (let i = 0; i < 30; i++) {
        await guard.trip('discord', `trip ${i}`);
        wake.ring();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // One round at once, then at most one per 500 ms.
      expect(probes).toBeGreaterThanOrEqual(1);
      expect(probes).toBeLessThanOrEqual(5);
    } finally {
      stop();
      await queue.close();
    }
  });
});
