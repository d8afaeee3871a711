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
