import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisSubscriptionStore } from '../../../src/subscriptions/redis-subscription-store.js';
import { RedisFollowStore, type Follow } from '../../../src/subscriptions/follow-store.js';
import type { Subscription } from '../../../src/subscriptions/subscription.js';
import { deletePrefix, expectOnePlainLine, REDIS_URL, runCli, uniquePrefix } from '../../helpers/cli.js';

// README's backup: `subscriptions export` writes every chat-made subscription with its options; `import`
// restores them into an empty deployment and refuses, importing nothing, when a channel is already taken.

const from = uniquePrefix('cli-backup-from');
const to = uniquePrefix('cli-backup-to');
const followsFrom = uniquePrefix('cli-backup-follows-from');
const followsTo = uniquePrefix('cli-backup-follows-to');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const dir = mkdtempSync(join(tmpdir(), 'psf-bot-backup-'));

afterAll(async () => {
  await deletePrefix(redis, from);
  await deletePrefix(redis, to);
  await deletePrefix(redis, followsFrom);
  await deletePrefix(redis, followsTo);
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

const subscription = (channelId: string, overrides: Partial<Subscription> = {}): Subscription => ({
  platform: 'discord',
  workspaceId: '111111111111111111',
  channelId,
  feeds: ['psf'],
  tags: ['grants'],
  options: { crosspost: true, digest: 'weekly', mentionRoleId: '222222222222222222' },
  createdBy: 'U1',
  createdAt: '2026-01-01T00:00:00.000Z',
  disabledReason: null,
  disabledAt: null,
  ...overrides,
});

describe('subscriptions export and import', () => {
  it('round-trips every chat-made subscription with its options, and refuses duplicates', async () => {
    const source = new RedisSubscriptionStore(redis, from);
    await source.put(subscription('C1', { excludedTags: ['sponsors'] }));
    await source.put(subscription('C2', { platform: 'slack', workspaceId: 'T1', options: { thread: true } }));
    await source.disable({ platform: 'slack', workspaceId: 'T1', channelId: 'C2' }, 'channel_not_found');
    await source.put(subscription('C3', { createdBy: 'config' })); // declared by the operator: not exported

    const exported = await runCli(['subscriptions', 'export'], { REDIS_PREFIX: from });
    expect(exported.code, exported.stderr).toBe(0);
    const backup = JSON.parse(exported.stdout) as { version: number; subscriptions: Subscription[] };
    expect(backup.version).toBe(1);
    expect(backup.subscriptions.map((sub) => sub.channelId)).toEqual(['C1', 'C2']);
    const file = join(dir, 'backup.json');
    writeFileSync(file, exported.stdout);

    const imported = await runCli(['subscriptions', 'import', file], { REDIS_PREFIX: to });
    expect([imported.code, imported.stdout, imported.stderr]).toEqual([0, 'imported 2 subscriptions\n', '']);
    const target = new RedisSubscriptionStore(redis, to);
    const restored = await target.list();
    // A disabled subscription stays disabled for the same reason; the store dates the mark at the import.
    const byChannel = (list: Subscription[]) =>
      [...list]
        .sort((a, b) => a.channelId.localeCompare(b.channelId))
        .map((sub) => ({ ...sub, disabledAt: sub.disabledAt === null ? null : 'set' }));
    expect(byChannel(restored)).toEqual(
      byChannel((await source.list()).filter((sub) => sub.channelId !== 'C3')),
    );
    expect(restored.find((sub) => sub.channelId === 'C2')?.disabledReason).toBe('channel_not_found');

    await target.remove({ platform: 'discord', workspaceId: '111111111111111111', channelId: 'C1' });
    const again = await runCli(['subscriptions', 'import', file], { REDIS_PREFIX: to });
    expect(again.code).toBe(1);
    expectOnePlainLine(
      again.stderr,
      /^psf-bot: import refused, nothing imported: 1 channel\(s\) already subscribed/,
    );
    expect(again.stderr).toContain('slack:T1:C2');
    // All or nothing: C1, free again, was not written either.
    expect((await target.list()).map((sub) => sub.channelId)).toEqual(['C2']);
  });

  it('exports and restores the channels that follow a hub, and refuses a follow beside a subscription to its feed', async () => {
    const follow: Follow = {
      platform: 'discord',
      workspaceId: '111111111111111111',
      channelId: 'C9',
      feed: 'psf',
      hubChannelId: '333333333333333333',
      webhookId: '444444444444444444',
      createdBy: 'U1',
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    await new RedisFollowStore(redis, followsFrom).put(follow);
    await new RedisSubscriptionStore(redis, followsFrom).put(subscription('C8'));
    const exported = await runCli(['subscriptions', 'export'], { REDIS_PREFIX: followsFrom });
    expect(exported.code, exported.stderr).toBe(0);
    expect((JSON.parse(exported.stdout) as { follows: Follow[] }).follows).toEqual([follow]);
    const file = join(dir, 'follows.json');
    writeFileSync(file, exported.stdout);
    const imported = await runCli(['subscriptions', 'import', file], { REDIS_PREFIX: followsTo });
    expect([imported.code, imported.stdout]).toEqual([0, 'imported 1 subscription and 1 follow of a hub\n']);
    expect(await new RedisFollowStore(redis, followsTo).list()).toEqual([follow]);

    // A backup edited to subscribe the following channel to the hub's feed would bring each post twice.
    const clash = JSON.parse(exported.stdout) as { subscriptions: Subscription[] };
    clash.subscriptions = [subscription('C9')];
    writeFileSync(file, JSON.stringify(clash));
    const refused = await runCli(['subscriptions', 'import', file], {
      REDIS_PREFIX: uniquePrefix('cli-clash'),
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('discord:111111111111111111:C9 (follow of the psf hub)');
  });

  it('refuses a file that is not a backup, as a usage error', async () => {
    const file = join(dir, 'not-a-backup.json');
    writeFileSync(file, JSON.stringify({ hello: 'world' }));
    const result = await runCli(['subscriptions', 'import', file], { REDIS_PREFIX: to });
    expect(result.code).toBe(2);
    expectOnePlainLine(result.stderr, /^psf-bot: .*not-a-backup\.json: the backup is not valid: version/);
  });
});
