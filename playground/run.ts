import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FAKE_APPLICATION_ID, FAKE_TOKEN, FakeDiscord } from '../tests/fakes/discord/fake-discord.js';
import { FakeSlack } from '../tests/fakes/slack/fake-slack.js';
import { Redis } from 'ioredis';
import { ROOT } from '../tests/helpers/cli.js';
import { deleteKeys } from '../tests/helpers/delivery-fixtures.js';
import { send } from './send.js';
import { statePath, writeState } from './state.js';

// `npm run playground`: the fake Discord and fake Slack from the tests, the fixture feed, and the bot wired to
// them, on this machine, with no tokens. `npm run playground -- send discord "/psf latest"` talks to it.

const SLACK_TOKEN = 'xoxb-playground';
const FEED = join(ROOT, 'tests', 'fixtures', 'feeds', 'psf-blogger-atom.xml');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the bot did not answer /healthz within a minute');
}

/** Prints each message the fakes receive once: where a playground user sees what the bot posted. */
function watch(discord: FakeDiscord, slack: FakeSlack): () => void {
  const seen = new Set<unknown>();
  const show = (where: string, item: object, text: unknown) => {
    if (seen.has(item)) return;
    seen.add(item);
    process.stdout.write(`[${where}] ${typeof text === 'string' ? text : JSON.stringify(text)}\n`);
  };
  const timer = setInterval(() => {
    for (const [channel, list] of discord.rest.messages)
      for (const message of list) show(`discord #${channel}`, message, message.body);
    for (const list of discord.rest.interactionMessages.values())
      for (const message of list) show('discord reply', message, message.body);
    for (const message of slack.messages) show(`slack ${message.channel}`, message, message);
    for (const response of slack.responses) show('slack reply', response, response.body);
  }, 250);
  return () => clearInterval(timer);
}

async function start(): Promise<number> {
  const discord = await FakeDiscord.start();
  const slack = new FakeSlack();
  await slack.start();
  slack.tokens.set(SLACK_TOKEN, { teamId: 'T0PLAY', botId: 'B0PLAY', botUserId: 'U0BOT' });
  slack.users.set('U0ADMIN', { isAdmin: true });
  slack.channels.set('C0PLAY', { isMember: true });
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
  discord.rest.verifyKey = publicKeyHex;
  const port = await freePort();
  const botUrl = `http://127.0.0.1:${port}`;
  const signingSecret = randomBytes(16).toString('hex');
  const prefix = `playground-${randomBytes(3).toString('hex')}`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const bot = spawn(process.execPath, [join(ROOT, 'bin', 'psf-bot.js'), 'start'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      PORT: String(port),
      LOG_LEVEL: 'error',
      PSF_FEEDS: `psf=${FEED}`,
      MAX_AGE: '36500d',
      DISCORD_TOKEN: FAKE_TOKEN,
      DISCORD_APPLICATION_ID: FAKE_APPLICATION_ID,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_MODE: 'http',
      DISCORD_PUBLIC_KEY: publicKeyHex,
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
    },
  });
  const stopWatching = watch(discord, slack);
  const stop = async () => {
    stopWatching();
    rmSync(statePath(), { force: true });
    bot.kill('SIGTERM');
    await new Promise((resolve) => bot.once('exit', resolve));
    await discord.stop();
    await slack.stop();
    // The playground's posts, subscriptions and queues go with it.
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    await deleteKeys(redis, prefix).finally(() => redis.quit());
  };
  try {
    await waitHealthy(botUrl);
  } catch (error) {
    await stop();
    throw error;
  }
  writeState({
    botUrl,
    discordPrivateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    discordApiUrl: discord.apiUrl,
    applicationId: FAKE_APPLICATION_ID,
    slackSigningSecret: signingSecret,
    slackUrl: slack.url,
  });
  process.stdout.write(
    [
      `psf-bot playground: the bot on ${botUrl} (Redis prefix ${prefix}), fake Discord on ${discord.apiUrl},`,
      `fake Slack on ${slack.apiUrl}, the feed ${FEED}. Nothing leaves this machine.`,
      'Send a slash command from another terminal, signed as each platform signs:',
      '  npm run playground -- send discord "/psf latest 3"',
      '  npm run playground -- send slack "/psf search pycon"',
      '  npm run playground -- send slack "/psf subscribe psf"   (then new posts are announced here)',
      'Replies print there; every message the bot posts to a fake channel prints below. Ctrl-C stops it all.',
      'ready',
    ].join('\n') + '\n',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    bot.once('exit', () => resolve());
  });
  await stop();
  return 0;
}

const [command, ...args] = process.argv.slice(2);
const status = command === 'send' ? await send(args[0], args[1]) : await start();
process.exit(status);
