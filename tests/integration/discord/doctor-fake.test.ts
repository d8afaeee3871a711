import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor, renderDoctorReport } from '../../../jobs/doctor/index.js';
import { loadConfig } from '../../../src/config.js';
import { FAKE_APPLICATION_ID, FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { FIXTURES } from '../../helpers/fixtures.js';
import { MemoryFollowStore } from '../../../src/subscriptions/follow-store.js';
import { MANAGE_WEBHOOKS } from '../../fakes/discord/fake-follows.js';
import { testRedisOptions, testRedisWhere } from '../../helpers/test-redis.js';

// `doctor` asks Discord who the application is (`GET /applications/@me`); the fake answers it as Discord does,
// so doctor (and the playground, which runs against the fake) passes with no real token.

let discord: FakeDiscord;

beforeAll(async () => {
  discord = await FakeDiscord.start();
});

afterAll(async () => {
  await discord.stop();
});

describe('doctor against the fake Discord', () => {
  it('passes the token and application checks, public key included in HTTP mode', async () => {
    discord.rest.verifyKey = 'ab'.repeat(32);
    const config = loadConfig({
      PSF_FEEDS: `psf=${FIXTURES.bloggerAtom}`,
      DISCORD_TOKEN: FAKE_TOKEN,
      DISCORD_APPLICATION_ID: FAKE_APPLICATION_ID,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_MODE: 'http',
      DISCORD_PUBLIC_KEY: 'ab'.repeat(32),
    });
    const checks = await runDoctor({
      config,
      redis: { options: testRedisOptions(), where: testRedisWhere() },
    });
    const discordChecks = checks.filter((check) => check.check.startsWith('discord: '));
    expect(discordChecks.length, renderDoctorReport(checks)).toBeGreaterThan(1);
    for (const check of discordChecks) expect(check.ok, renderDoctorReport(checks)).toBe(true);
    expect(discord.rest.requests.map((request) => request.path)).toContain('/applications/@me');
  });

  it("says whose token DISCORD_TOKEN is when it is another working bot's", async () => {
    const other = '955000000000000002';
    discord.rest.bot = { userId: other, applicationId: other };
    try {
      const config = loadConfig({
        PSF_FEEDS: `psf=${FIXTURES.bloggerAtom}`,
        DISCORD_TOKEN: FAKE_TOKEN,
        DISCORD_APPLICATION_ID: FAKE_APPLICATION_ID,
        DISCORD_API_URL: discord.apiUrl,
      });
      const checks = await runDoctor({
        config,
        redis: { options: testRedisOptions(), where: testRedisWhere() },
      });
      const application = checks.find((check) => check.check === 'discord: application');
      expect(application?.ok, renderDoctorReport(checks)).toBe(false);
      expect(renderDoctorReport(checks)).toContain(
        `DISCORD_TOKEN is the token of bot ${other}, not of application ${FAKE_APPLICATION_ID}`,
      );
    } finally {
      discord.rest.bot = { userId: '900000000000000001', applicationId: FAKE_APPLICATION_ID };
    }
  });
});

describe('doctor on hub channels (DISCORD_HUB_CHANNELS)', () => {
  const NEWS = '730000000000000001';
  const TEXT = '730000000000000002';
  const GUILD = '730000000000000009';
  const MANAGE_MESSAGES = 1n << 13n;
  const BASE = (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 16n); // view, send, embed links, history

  async function hubChecks(hubs: string) {
    const config = loadConfig({
      PSF_FEEDS: `psf=${FIXTURES.bloggerAtom},insider=${FIXTURES.bloggerAtom}`,
      DISCORD_TOKEN: FAKE_TOKEN,
      DISCORD_APPLICATION_ID: FAKE_APPLICATION_ID,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_HUB_CHANNELS: hubs,
    });
    const checks = await runDoctor({
      config,
      redis: { options: testRedisOptions(), where: testRedisWhere() },
    });
    return checks.filter((check) => check.check.startsWith('discord: hub '));
  }

  it('fails a hub that is a text channel, and one where the bot cannot publish', async () => {
    discord.rest.guilds.add(GUILD, [NEWS], 5);
    discord.rest.guilds.add(GUILD, [TEXT], 0);
    discord.rest.guildRoles.set(GUILD, {
      roles: [{ id: GUILD, name: '@everyone', permissions: String(BASE), mentionable: false }],
      botRoles: [],
    });
    const [news, text] = await hubChecks(`psf:${NEWS},insider:${TEXT}`);
    expect(news).toMatchObject({ check: `discord: hub psf (${NEWS})`, ok: false });
    expect(news?.detail).toMatch(/lacks Manage Messages/);
    expect(text).toMatchObject({ check: `discord: hub insider (${TEXT})`, ok: false });
    expect(text?.detail).toMatch(/not an announcement channel \(type 0\)/);

    discord.rest.guildRoles.set(GUILD, {
      roles: [
        { id: GUILD, name: '@everyone', permissions: String(BASE | MANAGE_MESSAGES), mentionable: false },
      ],
      botRoles: [],
    });
    const [fixed] = await hubChecks(`psf:${NEWS}`);
    expect(fixed?.ok).toBe(true);
  });
});

/** A recorded follow of the psf hub by `channelId`. */
function followOf(guild: string, channelId: string, webhookId: string) {
  return {
    platform: 'discord' as const,
    workspaceId: guild,
    channelId,
    feed: 'psf',
    hubChannelId: '720000000000000099',
    webhookId,
    createdBy: 'u',
    createdAt: '2026-12-01T00:00:00.000Z',
  };
}

describe('doctor: channels that follow a hub', () => {
  it('warns where the bot lacks Manage Webhooks (unfollow could not end the follow), passes where it holds it', async () => {
    const guild = '720000000000000001';
    const [granted, denied, gone, proxied] = [
      '720000000000000011',
      '720000000000000012',
      '720000000000000013',
      '720000000000000014',
    ];
    discord.rest.guilds.add(guild, [granted, denied, proxied]);
    discord.rest.cue('GET', new RegExp(`^/channels/${proxied}$`), {
      status: 404,
      raw: '<html>Not Found</html>',
      headers: { 'content-type': 'text/html' },
    });
    discord.rest.guildRoles.set(guild, {
      roles: [
        {
          id: guild,
          name: '@everyone',
          permissions: String((1n << 10n) | MANAGE_WEBHOOKS),
          mentionable: false,
        },
      ],
      botRoles: [],
    });
    discord.rest.overwrites.set(denied, [{ id: guild, type: 0, allow: '0', deny: String(MANAGE_WEBHOOKS) }]);
    const follows = new MemoryFollowStore();
    for (const channelId of [granted, denied, gone, proxied])
      await follows.put(followOf(guild, channelId, '720000000000000100'));
    const config = loadConfig({
      PSF_FEEDS: `psf=${FIXTURES.bloggerAtom}`,
      DISCORD_TOKEN: FAKE_TOKEN,
      DISCORD_APPLICATION_ID: FAKE_APPLICATION_ID,
      DISCORD_API_URL: discord.apiUrl,
    });
    const checks = await runDoctor({
      config,
      redis: { options: testRedisOptions(), where: testRedisWhere() },
      follows,
    });
    const report = renderDoctorReport(checks);
    const of = (channelId: string) => checks.find((check) => check.check.includes(`channel ${channelId}`));
    expect(of(granted), report).toMatchObject({
      ok: true,
      detail: expect.stringContaining('has Manage Webhooks'),
    });
    expect(of(granted)?.mark).toBeUndefined();
    expect(of(denied), report).toMatchObject({
      ok: true,
      mark: 'warn',
      detail: expect.stringContaining('lacks Manage Webhooks, so /psf unfollow cannot end the follow'),
    });
    expect(
      checks.some((check) => check.detail.includes('arrives twice')),
      report,
    ).toBe(false);
    expect(of(gone), report).toMatchObject({
      mark: 'warn',
      detail: expect.stringContaining('unknown channel (404, 10003): deleted'),
    });
    // A proxy's 404 page is no word from Discord that the channel is gone.
    expect(of(proxied), report).toMatchObject({
      mark: 'warn',
      detail: expect.stringContaining('the bot cannot see the channel (HTTP 404)'),
    });
  });
});

describe('doctor: a channel that both follows and subscribes', () => {
  it('fails it, since each post arrives twice (a declared subscription does not ask the follows)', async () => {
    const guild = '720000000000000002';
    const channel = '720000000000000021';
    discord.rest.guilds.add(guild, [channel]);
    const follows = new MemoryFollowStore();
    await follows.put(followOf(guild, channel, '720000000000000101'));
    const config = loadConfig({
      PSF_FEEDS: `psf=${FIXTURES.bloggerAtom}`,
      DISCORD_TOKEN: FAKE_TOKEN,
      DISCORD_APPLICATION_ID: FAKE_APPLICATION_ID,
      DISCORD_API_URL: discord.apiUrl,
      PSF_SUBSCRIPTIONS: `discord:${guild}:${channel}`,
    });
    const checks = await runDoctor({
      config,
      redis: { options: testRedisOptions(), where: testRedisWhere() },
      follows,
    });
    const twice = checks.find((check) => check.detail.includes('arrives twice'));
    expect(twice, renderDoctorReport(checks)).toMatchObject({
      ok: false,
      fix: expect.stringContaining('/psf unfollow feed:psf or /psf unsubscribe feed:psf'),
    });
  });
});
