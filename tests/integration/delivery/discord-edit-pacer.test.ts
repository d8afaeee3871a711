import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CROSSPOSTED_EDIT_INTERVAL_MS,
  discordEditPacer,
  platformPacing,
  slackPacer,
} from '../../../jobs/delivery/workers.js';
import { ScriptedAnnouncer } from '../../../src/delivery/scripted-announcer.js';
import { contentVersion } from '../../../src/posts/version.js';
import type { ChannelRef } from '../../../src/subscriptions/subscription-store.js';
import {
  deleteKeys,
  makePost,
  makeSubscription,
  uniquePrefix,
  waitFor,
} from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

// Discord edits are spaced per channel (crossposted) and per message on a pacer of their own: Slack's pacer
// also charges a per-workspace budget (SLACK_WORKSPACE_RATE), which Discord edits must never be charged.

const redis = new Redis(testRedisOptions());
const prefix = uniquePrefix('discord-edit-pacer');
const config = { slack: { workspacePerSecond: 20, channelIntervalMs: 1_000 } } as Parameters<
  typeof slackPacer
>[2];

/** A Discord announcer that can edit, recording each edit. */
class EditingAnnouncer extends ScriptedAnnouncer {
  readonly edits: string[] = [];
  async edit(_post: unknown, target: { channelId: string }): Promise<void> {
    this.edits.push(target.channelId);
  }
}

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;

afterAll(async () => {
  await harness?.close();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describe('Discord edit pacing', () => {
  it('the Discord deliver worker waits its edits on the edit pacer, Slack its messages on the Slack pacer', () => {
    const pacer = slackPacer(redis, prefix, config);
    const editPacer = discordEditPacer(redis, prefix);
    const options = { pacer, editPacer, config };
    const discord = platformPacing('discord', options);
    expect(discord.editPacing?.pacer).toBe(editPacer);
    expect(discord.editPacing?.intervalMs).toBe(CROSSPOSTED_EDIT_INTERVAL_MS);
    expect(discord).not.toHaveProperty('pacing');
    const slack = platformPacing('slack', options);
    expect(slack.pacing?.pacer).toBe(pacer);
    expect(slack).not.toHaveProperty('editPacing');
    // Without an edit pacer, Discord edits are not paced on Slack's pacer either.
    expect(platformPacing('discord', { pacer, config })).toEqual({});
  });

  it('spaces edits per channel under its own keys, charging no workspace budget', async () => {
    const editPacer = discordEditPacer(redis, prefix);
    const edits: ChannelRef = { platform: 'discord', workspaceId: 'G1', channelId: 'D1:edits' };
    expect(await editPacer.reserve(edits, 60_000, 'e1')).toBe(0);
    expect(await editPacer.reserve(edits, 60_000, 'e2')).toBeGreaterThan(59_000);
    expect(await redis.keys(`${prefix}:ws-budget:*`)).toEqual([]);
    expect(await redis.keys(`${prefix}:discord-edit-pace:*`)).not.toEqual([]);
    // Slack's pacer keeps its own slots: a Slack message slot taken on the same channel id delays no edit.
    const slack = slackPacer(redis, prefix, config);
    const other: ChannelRef = { platform: 'discord', workspaceId: 'G1', channelId: 'D2:edits' };
    expect(await slack.reserve(other, 60_000, 's1')).toBe(0);
    expect(await editPacer.reserve(other, 60_000, 'e3')).toBe(0);
  });

  it('a Discord edit through the delivery workers takes an edit slot and charges no Slack workspace budget', async () => {
    const announcer = new EditingAnnouncer('discord');
    const post = makePost(1);
    const sub = makeSubscription(1, { platform: 'discord', workspaceId: 'G9', channelId: 'D9' });
    const own = uniquePrefix('discord-edit-e2e');
    // workspaceRate: the deliver workers get Slack's budget pacer, as in production.
    harness = await startHarness({
      prefix: own,
      announcers: { discord: announcer },
      posts: [post],
      subscriptions: [sub],
      workspaceRate: 20,
    });
    await harness.sink.enqueue([post]);
    await waitFor(async () => announcer.sent.length === 1 && (await harness!.idle()), 'the first send');
    const changed = { ...post, title: 'Changed title' };
    await harness.posts.save([changed]);
    await harness.sink.enqueueEdits([{ post: changed, version: contentVersion(changed) }]);
    await waitFor(async () => announcer.edits.length === 1 && (await harness!.idle()), 'the edit');
    expect(await harness.redis.keys(`${own}:ws-budget:*`)).toEqual([]);
    expect(await harness.redis.keys(`${own}:discord-edit-pace:*`)).not.toEqual([]);
  });
});
