import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_APPLICATION_ID, FAKE_TOKEN, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import {
  closedPort,
  deletePrefix,
  expectOnePlainLine,
  REDIS_URL,
  runCli,
  uniquePrefix,
} from '../../helpers/cli.js';
import { FIXTURES } from '../../helpers/fixtures.js';

// A platform that cannot be reached, or refuses the token, at start-up: one line naming the platform, the
// endpoint and the cause in the words feed errors use, never a bare "fetch failed" or "getaddrinfo ENOTFOUND".

const prefix = uniquePrefix('runtime-startup-errors');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const base = { REDIS_PREFIX: prefix, PSF_FEEDS: `psf=${FIXTURES.bloggerAtom}` };
const discordEnv = (apiUrl: string) => ({
  ...base,
  DISCORD_TOKEN: FAKE_TOKEN,
  DISCORD_APPLICATION_ID: FAKE_APPLICATION_ID,
  DISCORD_API_URL: apiUrl,
});
const slackEnv = (apiUrl: string, token = 'xoxb-not-installed') => ({
  ...base,
  SLACK_BOT_TOKEN: token,
  SLACK_SIGNING_SECRET: 'signing-secret',
  SLACK_API_URL: apiUrl,
});

let discord: FakeDiscord;
const slack = new FakeSlack();

beforeAll(async () => {
  discord = await FakeDiscord.start();
  await slack.start();
});

afterAll(async () => {
  await discord.stop();
  await slack.stop();
  await deletePrefix(redis, prefix);
  await redis.quit();
});

describe('start-up errors name the platform, the endpoint and the cause', () => {
  it('Discord unreachable', async () => {
    const port = await closedPort();
    const result = await runCli(['start', '--role', 'bot'], discordEnv(`http://127.0.0.1:${port}/api`));
    expect(result.code, result.stderr).toBe(1);
    expectOnePlainLine(result.stderr);
    expect(result.stderr).toBe(
      `psf-bot: Discord: cannot reach GET http://127.0.0.1:${port}/api/v10/gateway/bot: connection refused (ECONNREFUSED)\n`,
    );
  });

  it('Discord refusing the token', async () => {
    discord.cueError('GET', /^\/gateway\/bot$/, 401, 0, '401: Unauthorized');
    const result = await runCli(['start', '--role', 'bot'], discordEnv(discord.apiUrl));
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toBe(
      `psf-bot: Discord: GET ${discord.apiUrl}/v10/gateway/bot refused the token (HTTP 401): check DISCORD_TOKEN\n`,
    );
  });

  it('Slack unreachable', async () => {
    const port = await closedPort();
    const result = await runCli(['start', '--role', 'web'], slackEnv(`http://127.0.0.1:${port}/api/`));
    expect(result.code, result.stderr).toBe(1);
    expectOnePlainLine(result.stderr);
    expect(result.stderr).toBe(
      `psf-bot: Slack: cannot reach POST http://127.0.0.1:${port}/api/auth.test: connection refused (ECONNREFUSED)\n`,
    );
  });

  it('Slack refusing the token', async () => {
    const result = await runCli(['start', '--role', 'web'], slackEnv(slack.apiUrl));
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toBe(
      `psf-bot: Slack: POST ${slack.apiUrl}auth.test answered invalid_auth: check SLACK_BOT_TOKEN\n`,
    );
  });
});
