import type { DiscordKind, FaultKind, FaultWindow } from './platform.js';
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
  /** Digests, edits, forums, crossposts, threads and Slack's send budget (drawn from a stream of their own). */
  features: ScheduleFeatures;
}

export type Cadence = 'daily' | 'weekly';

/** A channel that is more than a plain per-post text channel. */
export interface ChannelFeature {
  platform: 'discord' | 'slack';
  workspaceId: string;
  channelId: string;
  /** Discord: what kind of channel it is. */
  kind: DiscordKind | null;
  /** The subscription's options at the start. */
  crosspost: boolean;
  thread: boolean;
  digest: Cadence | null;
  /** A manager switching the channel to digests (`to` the cadence) or back (`to` null) with `subscribe`. */
  digestSwitch: { atMs: number; to: Cadence | null } | null;
  /** Forum: its posts' threads archive this long after they start (a moderator, or the auto-archive). */
  archiveAfterMs: number | null;
}

export interface ScheduleFeatures {
  channels: ChannelFeature[];
  /** A post changed after it was published (its next revision), found by the poller at `atMs`. */
  edits: { n: number; atMs: number }[];
  /**
   * When the digests of both cadences are due, whole minutes (DIGEST_TIME; DIGEST_WEEKDAY the start's weekday);
   * null: no digest boundary (a plain schedule).
   */
  digestAtMs: number | null;
  /** SLACK_WORKSPACE_RATE, and Slack's own send limits in the simulation; null: neither (a plain schedule). */
  slackWorkspaceRate: number | null;
}

/** The features of a plain schedule: per-post deliveries to text channels only, as the suite first had them. */
export const PLAIN_FEATURES: ScheduleFeatures = {
  channels: [],
  edits: [],
  digestAtMs: null,
  slackWorkspaceRate: null,
};

const DISCORD_FAULTS: FaultKind[] = ['lost', '5xx', '429-global', '429-user', '429-shared', '401', 'html404'];
const SLACK_FAULTS: FaultKind[] = ['lost', '5xx', '429-workspace', '401', 'html404'];
const MINUTE = 60_000;

/**
 * The schedule of one seed. `plain`: without the features (digests, edits, forums, crossposts, threads, Slack's
 * send limits), as the suite played that seed before they existed; seeds found failing then replay so.
 */
export function generateSchedule(seed: number, options: { plain?: boolean } = {}): Schedule {
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
  const features = options.plain ? PLAIN_FEATURES : generateFeatures(seed, guilds, workspaces, posts);
  return { seed, guilds, workspaces, posts, faults, kills, redisRestarts, chatter, features };
}

/**
 * The features of a seed's schedule, from a random stream of their own: the rest of the schedule of a seed is
 * what it was before features existed, so a seed found failing then still meets the same faults.
 */
function generateFeatures(
  seed: number,
  guilds: readonly ScheduledGuild[],
  workspaces: readonly ScheduledWorkspace[],
  posts: readonly { n: number; atMs: number }[],
): ScheduleFeatures {
  const rng = new Rng(seed ^ 0x2f6e2b1);
  const digestAtMs = rng.int(4, 14) * MINUTE;
  const cadence = (): Cadence => (rng.chance(0.6) ? 'daily' : 'weekly');
  const channels: ChannelFeature[] = [];
  const feature = (
    platform: 'discord' | 'slack',
    workspaceId: string,
    channelId: string,
    steady: boolean,
  ): void => {
    let kind: DiscordKind | null = null;
    let crosspost = false;
    let thread = false;
    if (platform === 'discord') {
      const roll = rng.next();
      kind = roll < 0.2 ? 'forum' : roll < 0.45 ? 'announcement' : 'text';
      crosspost = kind === 'announcement' && rng.chance(0.8);
      thread = kind !== 'forum' && rng.chance(0.25);
    }
    const digestRoll = rng.next();
    // Switches only where a manager can still run the command (the bot is not removed, the token works).
    const switchAt = () => rng.int(0, Math.max(0, digestAtMs - 30_000));
    let digest: Cadence | null = null;
    let digestSwitch: ChannelFeature['digestSwitch'] = null;
    if (digestRoll < 0.2) {
      digest = cadence();
      if (steady && rng.chance(0.4)) digestSwitch = { atMs: switchAt(), to: null };
    } else if (steady && digestRoll < 0.32) digestSwitch = { atMs: switchAt(), to: cadence() };
    // A moderator closing each post soon (seconds), or Discord archiving idle ones (modelled as 1–12 minutes).
    const archiveAfterMs =
      kind === 'forum' && rng.chance(0.5)
        ? rng.chance(0.5)
          ? rng.int(5_000, MINUTE)
          : rng.int(MINUTE, 12 * MINUTE)
        : null;
    if (kind === 'text' && !thread && !digest && !digestSwitch) return;
    if (platform === 'slack' && !digest && !digestSwitch) return;
    channels.push({
      platform,
      workspaceId,
      channelId,
      kind,
      crosspost,
      thread,
      digest,
      digestSwitch,
      archiveAfterMs,
    });
  };
  for (const guild of guilds)
    for (const id of guild.channels) feature('discord', guild.id, id, guild.removedAtMs === null);
  for (const workspace of workspaces)
    for (const id of workspace.channels)
      feature('slack', workspace.teamId, id, workspace.revokedAtMs === null);
  const edits: ScheduleFeatures['edits'] = [];
  for (const post of posts) {
    if (!rng.chance(0.35)) continue;
    let at = post.atMs;
    for (let i = rng.int(1, 3); i > 0; i--) {
      at += rng.int(5_000, 6 * MINUTE);
      edits.push({ n: post.n, atMs: at });
    }
  }
  const slackWorkspaceRate = rng.pick([20, 20, 5, 3, 2]);
  return { channels, edits, digestAtMs, slackWorkspaceRate };
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
    ...schedule.features.edits.map((edit) => edit.atMs),
    ...schedule.features.channels.map((channel) => channel.digestSwitch?.atMs ?? 0),
    // The digests are built 10 s after their boundary (DIGEST_SETTLE_MS).
    schedule.features.digestAtMs === null ? 0 : schedule.features.digestAtMs + 10_000,
  );
}
