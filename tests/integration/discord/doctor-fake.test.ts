import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor, renderDoctorReport } from '../../../jobs/doctor/index.js';
import { loadConfig } from '../../../src/config.js';
import { FAKE_APPLICATION_ID, FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { FIXTURES } from '../../helpers/fixtures.js';
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
