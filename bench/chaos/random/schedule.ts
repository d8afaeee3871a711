import type { FaultKind, FaultWindow } from './platform.js';
import { Rng } from './rng.js';

// A seeded fault schedule: who is subscribed where, when posts are published, and what goes wrong when. All
// times are milliseconds from the schedule's start. One seed always gives the same schedule.

export interface ScheduledGuild {
  id: string;
  channels: string[];
  /** When the server removes the bot, or null. */
  removedAtMs: number | null;
}

export interface ScheduledWorkspace {
  teamId: string;
  channels: string[];
  /** Marketplace-less history limits (1 read a minute, 15 a page). */
  tight: boolean;
  /** When the workspace revokes the bot's token, or null. */
  revokedAtMs: number | null;
  /** How long after the revocation Slack's `tokens_revoked` event is handled. */
  eventAfterMs: number;
}

export interface Schedule {
  seed: number;
  guilds: ScheduledGuild[];
  workspaces: ScheduledWorkspace[];
  posts: { n: number; atMs: number }[];
  faults: FaultWindow[];
  /** A worker process SIGKILLed, and started again `backAfterMs` later. */
  kills: { atMs: number; process: number; backAfterMs: number }[];
  redisRestarts: { atMs: number; downMs: number }[];
  /** People writing in channels. */
  chatter: { atMs: number; platform: 'discord' | 'slack'; channelId: string }[];
}

const DISCORD_FAULTS: FaultKind[] = ['lost', '5xx', '429-global', '429-user', '429-shared', '401', 'html404'];
const SLACK_FAULTS: FaultKind[] = ['lost', '5xx', '429-workspace', '401', 'html404'];
const MINUTE = 60_000;

/** The schedule of one seed. */
export function generateSchedule(seed: number): Schedule {
  const rng = new Rng(seed);
  let channel = 0;
  const guilds: ScheduledGuild[] = Array.from({ length: rng.int(1, 3) }, (_, g) => ({
    id: String(800_000_000_000_000_000n + BigInt(g)),
    channels: Array.from({ length: rng.int(2, 6) }, () =>
      String(810_000_000_000_000_000n + BigInt(channel++)),
    ),
    removedAtMs: null,
  }));
  const workspaces: ScheduledWorkspace[] = Array.from({ length: rng.int(1, 3) }, (_, w) => ({
    teamId: `TSIM${w}`,
    channels: Array.from({ length: rng.int(2, 6) }, () => `CSIM${channel++}`),
    tight: rng.chance(0.5),
    revokedAtMs: null,
    eventAfterMs: rng.int(500, 30_000),
  }));
  if (rng.chance(0.35)) rng.pick(guilds).removedAtMs = rng.int(0, 10 * MINUTE);
  if (rng.chance(0.25)) rng.pick(workspaces).revokedAtMs = rng.int(0, 10 * MINUTE);
  const posts = Array.from({ length: rng.int(1, 4) }, (_, i) => ({ n: i + 1, atMs: rng.int(0, 8 * MINUTE) }));
  // Most faults start while deliveries are in flight: just before or after a publication.
  const near = (spreadMs: number) =>
    rng.chance(0.8)
      ? Math.max(0, rng.pick(posts).atMs - 2_000 + rng.int(0, spreadMs))
      : rng.int(0, 10 * MINUTE);
  const faults: FaultWindow[] = Array.from({ length: rng.int(1, 5) }, () => {
    const platform = rng.chance(0.5) ? ('discord' as const) : ('slack' as const);
    const kind = rng.pick(platform === 'discord' ? DISCORD_FAULTS : SLACK_FAULTS);
    const fromMs = near(5_000);
    const p = kind === 'lost' ? 0.05 + rng.next() * 0.25 : 0.1 + rng.next() * 0.5;
    return { platform, kind, fromMs, toMs: fromMs + rng.int(2_000, 90_000), p };
  });
  const kills = Array.from({ length: rng.int(0, 2) }, () => ({
    atMs: near(3_500),
    process: rng.int(0, 1),
    backAfterMs: rng.int(1_000, 5_000),
  }));
  const redisRestarts = rng.chance(0.3) ? [{ atMs: near(4_000), downMs: rng.int(500, 5_000) }] : [];
  const chatter: Schedule['chatter'] = [];
  const talk = (platform: 'discord' | 'slack', channelId: string) => {
    const burstAt = rng.int(0, 12 * MINUTE);
    for (let i = rng.int(0, 25); i > 0; i--)
      chatter.push({ atMs: burstAt + rng.int(0, 3 * MINUTE), platform, channelId });
  };
  guilds.forEach((guild) => guild.channels.forEach((id) => talk('discord', id)));
  workspaces.forEach((workspace) => workspace.channels.forEach((id) => talk('slack', id)));
  return { seed, guilds, workspaces, posts, faults, kills, redisRestarts, chatter };
}

/** When the last scripted event of a schedule happens. */
export function lastEventMs(schedule: Schedule): number {
  return Math.max(
    ...schedule.posts.map((post) => post.atMs),
    ...schedule.faults.map((fault) => fault.toMs),
    ...schedule.kills.map((kill) => kill.atMs + kill.backAfterMs),
    ...schedule.redisRestarts.map((restart) => restart.atMs + restart.downMs),
    ...schedule.chatter.map((said) => said.atMs),
    ...schedule.guilds.map((guild) => guild.removedAtMs ?? 0),
    ...schedule.workspaces.map((workspace) => workspace.revokedAtMs ?? 0),
  );
}
