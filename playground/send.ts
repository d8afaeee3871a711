import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { psfInteraction, PERMISSIONS, type LeafOption } from '../tests/fakes/discord/interactions.js';
import { postSlashCommand } from '../tests/fakes/slack/sign.js';
import { readState, type PlaygroundState } from './state.js';

/** The words after `/psf`, split as Discord's client would fill the subcommand's options. */
function discordOptions(subcommand: string, rest: string): LeafOption[] {
  if (rest === '') return [];
  if (subcommand === 'latest') {
    return rest
      .split(/\s+/)
      .map((word) =>
        /^\d+$/.test(word)
          ? { name: 'count', type: 4, value: Number(word) }
          : { name: 'feed', type: 3, value: word },
      );
  }
  const name = { tag: 'tag', search: 'query', why: 'query', subscribe: 'tags', unsubscribe: 'feed' }[
    subcommand
  ];
  return name ? [{ name, type: 3, value: rest }] : [];
}

/** Signs and sends one interaction as Discord does (Ed25519 over timestamp + body), then reads the reply. */
async function sendDiscord(state: PlaygroundState, subcommand: string, rest: string): Promise<string> {
  const token = `playground-${randomBytes(6).toString('hex')}`;
  const body = JSON.stringify(
    psfInteraction({
      subcommand,
      options: discordOptions(subcommand, rest),
      token,
      permissions: PERMISSIONS.administrator,
    }),
  );
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = sign(null, Buffer.from(timestamp + body), createPrivateKey(state.discordPrivateKey));
  const response = await fetch(`${state.botUrl}/discord/interactions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-signature-ed25519': signature.toString('hex'),
      'x-signature-timestamp': timestamp,
    },
    body,
  });
  const answer = (await response.json()) as { type?: number; data?: unknown };
  if (answer.type !== 5) return JSON.stringify(answer.data ?? answer, null, 2);
  // Deferred: the answer comes as an edit of the original response, which Discord lets the app read back.
  const original = `${state.discordApiUrl}/v10/webhooks/${state.applicationId}/${token}/messages/@original`;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const reply = await fetch(original);
    if (reply.ok) return JSON.stringify(await reply.json(), null, 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return 'Discord: the reply did not arrive within 10 s';
}

/** Sends one slash command as Slack does (form body, v0 HMAC signature); the reply is Bolt's answer to it. */
async function sendSlack(state: PlaygroundState, text: string): Promise<string> {
  const response = await postSlashCommand(
    `${state.botUrl}/slack/events`,
    {
      text,
      team_id: 'T0PLAY',
      channel_id: 'C0PLAY',
      user_id: 'U0ADMIN',
      response_url: `${state.slackUrl}/respond/cli`,
    },
    { signingSecret: state.slackSigningSecret },
  );
  const body = await response.text();
  return body === ''
    ? '(acknowledged; the reply went to response_url: see the playground)'
    : JSON.stringify(JSON.parse(body), null, 2);
}

/** `npm run playground -- send discord|slack "/psf latest"`. */
export async function send(platform: string | undefined, command: string | undefined): Promise<number> {
  if ((platform !== 'discord' && platform !== 'slack') || !command) {
    process.stderr.write('usage: npm run playground -- send discord|slack "/psf latest"\n');
    return 2;
  }
  const state = readState();
  const words = command.trim().replace(/^\/psf\s*/i, '');
  const [subcommand = 'help', ...rest] = words.split(/\s+/).filter(Boolean);
  const reply =
    platform === 'discord'
      ? await sendDiscord(state, subcommand, rest.join(' '))
      : await sendSlack(state, words);
  process.stdout.write(`${reply}\n`);
  return 0;
}
