import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What `send` needs to reach and sign for a running playground; written 0600, removed when it stops. */
export interface PlaygroundState {
  /** The bot's HTTP server. */
  botUrl: string;
  /** PEM of the Ed25519 key Discord would sign interactions with (the fake application's). */
  discordPrivateKey: string;
  /** The fake Discord's API base (`DISCORD_API_URL`), for reading interaction replies back. */
  discordApiUrl: string;
  applicationId: string;
  slackSigningSecret: string;
  /** The fake Slack's `response_url` base. */
  slackUrl: string;
}

/** Where the running playground leaves its state: one per machine user, `PLAYGROUND_STATE` overrides. */
export function statePath(): string {
  return (
    process.env.PLAYGROUND_STATE ?? join(tmpdir(), `psf-bot-playground-${process.getuid?.() ?? 'user'}.json`)
  );
}

export function writeState(state: PlaygroundState): void {
  writeFileSync(statePath(), JSON.stringify(state), { mode: 0o600 });
}

export function readState(): PlaygroundState {
  try {
    return JSON.parse(readFileSync(statePath(), 'utf8')) as PlaygroundState;
  } catch {
    throw new Error('no playground is running: start one with `npm run playground` in another terminal');
  }
}
