import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordGatewayBot } from '../../../adapters/discord/gateway-bot.js';
import { DiscordInteractionHandler } from '../../../adapters/discord/interaction-handler.js';
import type { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { disableRemovedServer, GUILD_DELETE_REASON } from '../../../src/delivery/lost-access.js';
import { silentLogger } from '../../../src/logger.js';
import { archivePosts, coreWith } from '../../fakes/discord/archive-core.js';
import { makeSubscription, waitFor } from '../../helpers/delivery-fixtures.js';
import { FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import type { RecordedRequest } from '../../fakes/discord/fake-rest.js';
import {
  CHANNEL_ID,
  GUILD_ID,
  PERMISSIONS,
  psfInteraction,
  type InteractionSpec,
} from '../../fakes/discord/interactions.js';
import { userInstallCases } from './user-install-cases.js';
import { followCases, followSetup } from './follow-cases.js';
import type { MemoryFollowStore } from '../../../src/subscriptions/follow-store.js';

let fake: FakeDiscord;
let bot: DiscordGatewayBot;
let subscriptions: MemorySubscriptionStore;
let follows: MemoryFollowStore;

beforeAll(async () => {
  // A short heartbeat interval, so the heartbeat/ACK exchange happens during the test; not so short that a busy
  // machine misses an ACK and discord.js drops the connection as a zombie (every later interaction then times out).
  fake = await FakeDiscord.start({ heartbeatIntervalMs: 1_000 });
  const following = followSetup(fake);
  follows = following.follows;
  const built = await coreWith(await archivePosts(), following);
  subscriptions = built.subscriptions;
  const handler = new DiscordInteractionHandler({ commands: built.core });
  bot = new DiscordGatewayBot({
    token: FAKE_TOKEN,
    apiUrl: fake.apiUrl,
    handler,
    onRemovedFromServer: (guildId) => disableRemovedServer(subscriptions, guildId, silentLogger()),
  });
  await bot.start();
});

afterAll(async () => {
  await bot?.stop();
  await fake?.stop();
});

/** Sends an INTERACTION_CREATE over the fake gateway and waits for discord.js's answer on the callback route. */
async function interact(spec: InteractionSpec): Promise<{ type: number; data: Record<string, unknown> }> {
  const payload = psfInteraction(spec);
  const callback = `/interactions/${String(payload.id)}/${String(payload.token)}/callback`;
  const answered = fake.rest.waitForRequest((request: RecordedRequest) => request.path === callback);
  fake.gateway.dispatch('INTERACTION_CREATE', payload);
  const request = await answered;
  expect(request.method).toBe('POST');
  expect(request.headers.authorization).toBeUndefined();
  return request.body as { type: number; data: Record<string, unknown> };
}

describe('gateway mode: the real discord.js Client against the fake gateway', () => {
  it('identifies with the Guilds intent only and reports ready', async () => {
    const identify = fake.gateway.received.find((frame) => frame.op === 2);
    expect(identify?.d).toMatchObject({ token: FAKE_TOKEN, intents: 1 });
    expect(bot.ready).toBe(true);
    expect(await bot.readiness()).toBe(true);
  });

  it('heartbeats and stays connected on ACKs (no zombie-connection reconnect)', async () => {
    while (fake.gateway.received.filter((frame) => frame.op === 1).length < 3) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(fake.gateway.received.filter((frame) => frame.op === 2)).toHaveLength(1);
    expect(bot.ready).toBe(true);
  });

  it('answers /psf latest with embeds, privately', async () => {
    const response = await interact({
      subcommand: 'latest',
      options: [{ type: 4, name: 'count', value: 3 }],
    });
    expect(response.type).toBe(4);
    expect(response.data).toMatchObject({ flags: 64, allowed_mentions: { parse: [] } });
    const embeds = response.data.embeds as { title: string; url: string }[];
    expect(embeds).toHaveLength(3);
    expect(embeds[0]?.title).toBe("Python is for Everyone: Inside the PSF's D&I Work Group");
  });

  it('autocompletes /psf tag and answers it, shared when asked', async () => {
    const choices = await interact({
      type: 4,
      subcommand: 'tag',
      options: [{ type: 3, name: 'tag', value: 'gra', focused: true }],
    });
    expect(choices.type).toBe(8);
    const values = (choices.data.choices as { value: string }[]).map((choice) => choice.value);
    expect(values).toContain('grants');
    expect(values.length).toBeLessThanOrEqual(25);

    const answer = await interact({
      subcommand: 'tag',
      options: [
        { type: 3, name: 'tag', value: 'grants' },
        { type: 5, name: 'share', value: true },
      ],
    });
    expect(answer.type).toBe(4);
    expect(answer.data.flags).toBeUndefined();
    expect(answer.data.content).toMatch(/grants/i);
    expect((answer.data.embeds as unknown[]).length).toBeGreaterThan(0);
  });

  it('refuses subscribe without Manage Channels and accepts it with it', async () => {
    const refused = await interact({ subcommand: 'subscribe', permissions: PERMISSIONS.sendMessages });
    expect(refused.data.content).toMatch(/^⚠️ Only members who can manage/);
    expect(await subscriptions.list()).toHaveLength(0);

    const accepted = await interact({
      subcommand: 'subscribe',
      permissions: PERMISSIONS.manageChannels,
      options: [{ type: 3, name: 'tags', value: 'grants' }],
    });
    expect(accepted.data.content).toMatch(/now gets/);
    expect(
      await subscriptions.get({ platform: 'discord', workspaceId: GUILD_ID, channelId: CHANNEL_ID }),
    ).toMatchObject({
      tags: ['grants'],
    });
  });

  it('subscribes a forum named in `channel`, with a role and excluded tags, on the rights held in that forum', async () => {
    const FORUM = '700000000000000015';
    const ROLE = '700000000000000555';
    const spec = (permissions: string): InteractionSpec => ({
      subcommand: 'subscribe',
      permissions: PERMISSIONS.manageChannels,
      options: [
        { type: 7, name: 'channel', value: FORUM },
        { type: 3, name: 'tags', value: 'pycon, -sponsors' },
        { type: 8, name: 'role', value: ROLE },
      ],
      resolvedChannels: { [FORUM]: { type: 15, permissions } },
      resolvedRoles: { [ROLE]: { mentionable: true } },
    });
    const forum = { platform: 'discord' as const, workspaceId: GUILD_ID, channelId: FORUM };
    const refused = await interact(spec(PERMISSIONS.sendMessages));
    expect(refused.data.content).toMatch(/^⚠️ Only members who can manage/);
    expect(await subscriptions.get(forum)).toBeNull();
    const accepted = await interact(spec(PERMISSIONS.manageChannels));
    expect(accepted.data.content).toMatch(
      /now gets .*tagged pycon, not tagged sponsors, mentioning \\?<@&700000000000000555\\?>/,
    );
    expect(await subscriptions.get(forum)).toMatchObject({
      tags: ['pycon'],
      excludedTags: ['sponsors'],
      options: { forum: true, mentionRoleId: ROLE },
    });
  });

  it('refuses a role that is not mentionable unless the member may mention every role in the subscribed channel', async () => {
    const FORUM = '700000000000000016';
    const ROLE = '700000000000000556';
    const forum = { platform: 'discord' as const, workspaceId: GUILD_ID, channelId: FORUM };
    const manage = BigInt(PERMISSIONS.manageChannels);
    const spec = (here: bigint, there: bigint, mentionable = false): InteractionSpec => ({
      subcommand: 'subscribe',
      permissions: String(here),
      options: [
        { type: 7, name: 'channel', value: FORUM },
        { type: 8, name: 'role', value: ROLE },
      ],
      resolvedChannels: { [FORUM]: { type: 15, permissions: String(there) } },
      resolvedRoles: { [ROLE]: { mentionable } },
    });
    const everyone = BigInt(PERMISSIONS.mentionEveryone);
    // Mention Everyone where the command is typed does not count: the forum is where the bot would ping.
    const refused = await interact(spec(manage | everyone, manage));
    expect(refused.data.content).toMatch(
      /^⚠️ That role is not mentionable, and you may not mention every role/,
    );
    expect(await subscriptions.get(forum)).toBeNull();
    const mentionable = await interact(spec(manage, manage, true));
    expect(mentionable.data.content).toMatch(/mentioning/);
    await subscriptions.remove(forum);
    const allowed = await interact(spec(manage, manage | everyone));
    expect(allowed.data.content).toMatch(/mentioning/);
    expect(await subscriptions.get(forum)).toMatchObject({ options: { mentionRoleId: ROLE } });
  });

  it("disables a server's subscriptions at once on GUILD_DELETE, but not on a server outage", async () => {
    const [removed, outage] = ['810000000000000101', '810000000000000102'];
    const channel = (guild: string, id: string) => ({
      platform: 'discord' as const,
      workspaceId: guild,
      channelId: id,
    });
    for (const [guild, id] of [
      [removed, '760000000000000901'],
      [removed, '760000000000000902'],
      [outage, '760000000000000903'],
    ] as const)
      await subscriptions.put(makeSubscription(0, channel(guild, id)));
    fake.guildOutage(outage);
    fake.removeBotFrom(removed);
    await waitFor(
      async () => (await subscriptions.get(channel(removed, '760000000000000902')))?.disabledReason !== null,
      'the removed server to be disabled',
    );
    for (const id of ['760000000000000901', '760000000000000902'])
      expect((await subscriptions.get(channel(removed, id)))?.disabledReason).toBe(GUILD_DELETE_REASON);
    expect((await subscriptions.get(channel(outage, '760000000000000903')))?.disabledReason).toBeNull();
    for (const id of ['760000000000000901', '760000000000000902', '760000000000000903'])
      await subscriptions.remove(channel(id === '760000000000000903' ? outage : removed, id));
  });

  it('refuses to start when Discord rejects the token', async () => {
    fake.cueError('GET', /^\/gateway\/bot$/, 401, 0, '401: Unauthorized');
    const handler = new DiscordInteractionHandler({ commands: (await coreWith([])).core });
    const rejected = new DiscordGatewayBot({ token: 'wrong', apiUrl: fake.apiUrl, handler });
    await expect(rejected.start()).rejects.toThrow(/token/i);
    expect(rejected.ready).toBe(false);
    await rejected.stop();
  });

  it('made no request the fake does not know', () => {
    const unknown = fake.rest.requests.filter(
      (request) => !/^\/(gateway\/bot|interactions\/\d+\/[^/]+\/callback)$/.test(request.path),
    );
    expect(unknown.map((request) => `${request.method} ${request.path}`)).toEqual([]);
  });
});

describe('gateway mode: user installs', () => {
  userInstallCases(
    async (spec) => interact(spec),
    () => subscriptions,
  );
});

describe('gateway mode: following a hub', () => {
  followCases(
    async (spec) => interact(spec),
    () => ({ fake, follows, subscriptions }),
  );
});
