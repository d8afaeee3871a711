import type { SimWorld } from './world.js';

// The invariants checked after each schedule, each as a count (0 is held), plus the figures that explain them.

export interface InvariantCounts {
  /** Extra copies of a post in a channel (a channel holding it twice counts 1). */
  duplicates: number;
  /** (post, reachable channel) pairs the post never reached and no report calls unverified. */
  lost: number;
  /** Deliveries reported unverified (a look that could not finish within its 30 minutes). */
  unverified: number;
  /** Channels that answered lost access but ended neither disabled with the platform's reason nor removed. */
  unreachable_not_disabled: number;
  /** Requests to a channel after its subscription was disabled. */
  retried_after_disable: number;
  /** Subscriptions disabled while their channel was reachable, or without a platform code in the reason. */
  wrongly_disabled: number;
  /** Pauses (guard trips, a paused Discord queue) longer than a minute while the token worked. */
  paused_over_minute: number;
  /** Jobs not completed or failed at the horizon: endless holds or looks. */
  unended_jobs: number;
  /** Most Discord 401/403/429 answers in any 10 minutes (the budget is 10,000). */
  invalid_10min_max: number;
  /** Per-post messages of a post announced while the channel took digests, sent while it still did. */
  per_post_in_digest: number;
  /** A post's message in a reachable channel that does not show the post's latest revision at the end. */
  stale_after_edit: number;
  /** Messages whose shown revision went back (an older revision written over a newer one). */
  version_regressed: number;
  /** A post crossposted, or given a thread, more than once in one channel. */
  followups_twice: number;
  /** 429s Slack answered to the bot's own rate of `chat.postMessage`/`chat.update` (not scheduled faults). */
  slack_rate_429: number;
  /** Not a violation: stale messages in forum threads archived before the edit (Discord refuses it: 50083). */
  stale_archived: number;
  /** Not a violation: announcements left without their crosspost or thread (best effort, never retried). */
  followups_missing: number;
}

export const INVALID_BUDGET = 10_000;
const PAUSE_LIMIT_MS = 60_000;
const LOST_ACCESS = /50001|token_revoked|not_installed|channel_not_found|10003|10004/;

/** Counts that describe rather than judge. */
const FIGURES: ReadonlySet<keyof InvariantCounts> = new Set([
  'unverified',
  'invalid_10min_max',
  'stale_archived',
  'followups_missing',
]);

/** Which counts are violations (all but the figures, and the invalid-request figure past its budget). */
export function violations(counts: InvariantCounts): string[] {
  const broken = (Object.keys(counts) as (keyof InvariantCounts)[]).filter(
    (key) => !FIGURES.has(key) && counts[key] > 0,
  );
  if (counts.invalid_10min_max >= INVALID_BUDGET) broken.push('invalid_10min_max');
  return broken;
}

/** Counts each invariant over the world as it ended at `end` (virtual ms). */
export async function checkInvariants(world: SimWorld, end: number): Promise<InvariantCounts> {
  const { schedule, platforms, shared } = world;
  const unreachable = new Set<string>();
  for (const guild of schedule.guilds)
    if (guild.removedAtMs !== null) guild.channels.forEach((c) => unreachable.add(c));
  for (const ws of schedule.workspaces)
    if (ws.revokedAtMs !== null) ws.channels.forEach((c) => unreachable.add(c));
  const channels = [
    ...schedule.guilds.flatMap((guild) =>
      guild.channels.map((id) => ({ platform: 'discord' as const, workspaceId: guild.id, channelId: id })),
    ),
    ...schedule.workspaces.flatMap((ws) =>
      ws.channels.map((id) => ({ platform: 'slack' as const, workspaceId: ws.teamId, channelId: id })),
    ),
  ];

  // Where each post appears: its own messages (a forum post counts in its forum) and the digests listing it.
  const copies = new Map<string, number>();
  const add = (post: number, home: string) => {
    const key = `${post}>${home}`;
    copies.set(key, (copies.get(key) ?? 0) + 1);
  };
  for (const message of platforms.messages) {
    if (!message.byBot) continue;
    if (message.post !== null) add(message.post, message.home);
    for (const listed of message.listed) add(listed, message.home);
  }
  const duplicates = [...copies.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);

  const failed = [...shared.queues.discord.jobs.values(), ...shared.queues.slack.jobs.values()].filter(
    (job) => job.state === 'failed',
  );
  const unverified = failed.filter((job) => /unverified/i.test(job.failedReason ?? '')).length;
  const announced = new Map(
    (await shared.announcements.between(new Date(0), new Date(end))).map((entry) => [
      Number(/sim-post-(\d+)/.exec(entry.id)?.[1]),
      entry.announcedAt.getTime(),
    ]),
  );
  const boundary =
    schedule.features.digestAtMs === null ? -Infinity : world.start + schedule.features.digestAtMs;
  const digestAt = digestTimeline(world);
  let lost = 0;
  for (const post of schedule.posts)
    for (const channel of channels) {
      const at = announced.get(post.n);
      if (at === undefined || unreachable.has(channel.channelId)) continue;
      // A channel that ends taking digests gets a post in the digest due at the boundary, if it took digests
      // then and the post was announced by then; a later post waits for the next digest.
      const due =
        !digestAt(channel.channelId, end) || (at <= boundary && digestAt(channel.channelId, boundary));
      if (due && !copies.has(`${post.n}>${channel.channelId}`)) lost += 1;
    }
  lost = Math.max(0, lost - unverified);

  let perPostInDigest = 0;
  let stale = 0;
  let staleArchived = 0;
  let regressed = 0;
  const followups = new Map<string, { crossposted: number; threaded: number }>();
  const features = new Map(schedule.features.channels.map((feature) => [feature.channelId, feature]));
  let followupsMissing = 0;
  for (const message of platforms.messages) {
    if (!message.byBot || message.post === null) continue;
    const at = announced.get(message.post);
    if (at !== undefined && digestAt(message.home, at) && digestAt(message.home, message.at))
      perPostInDigest += 1;
    if (message.revs.some((rev, i) => i > 0 && rev < message.revs[i - 1]!)) regressed += 1;
    const latest = world.published.get(message.post)?.rev ?? 1;
    if (!unreachable.has(message.home) && message.rev !== latest) {
      const thread = platforms.threads.get(message.channelId);
      if (thread && platforms.archived(thread)) staleArchived += 1;
      else stale += 1;
    }
    const key = `${message.post}>${message.home}`;
    const seen = followups.get(key) ?? { crossposted: 0, threaded: 0 };
    seen.crossposted += message.crossposts;
    seen.threaded += message.threaded ? 1 : 0;
    followups.set(key, seen);
    const feature = features.get(message.home);
    if (feature && !unreachable.has(message.home)) {
      if (feature.crosspost && feature.kind === 'announcement' && message.crossposts === 0)
        followupsMissing += 1;
      if (feature.thread && !message.threaded) followupsMissing += 1;
    }
  }
  const followupsTwice = [...followups.values()].filter((f) => f.crossposted > 1 || f.threaded > 1).length;
  const slackRate429 = platforms.requests.filter(
    (request) => request.provoked && request.status === 429,
  ).length;

  let unreachableNotDisabled = 0;
  let retried = 0;
  let wronglyDisabled = 0;
  for (const channel of channels) {
    const sub = await shared.subscriptions.get(channel);
    const requests = platforms.requests.filter((request) => request.channelId === channel.channelId);
    if (sub?.disabledReason) {
      if (!unreachable.has(channel.channelId) || !LOST_ACCESS.test(sub.disabledReason)) wronglyDisabled += 1;
      const since = Date.parse(sub.disabledAt ?? '');
      retried += requests.filter((request) => request.at > since).length;
    } else if (sub && unreachable.has(channel.channelId) && lostAccessAnswered(world, channel.channelId))
      unreachableNotDisabled += 1;
  }

  let pausedOverMinute = 0;
  for (const period of shared.guard.periods) {
    const workspace = schedule.workspaces.find((ws) => period.scope === `slack:${ws.teamId}`);
    const revokedAt =
      workspace?.revokedAtMs === null || !workspace ? Infinity : world.start + workspace.revokedAtMs;
    if (period.from < revokedAt && (period.to ?? end) - period.from > PAUSE_LIMIT_MS) pausedOverMinute += 1;
  }
  for (const pause of shared.queues.discord.pauses)
    if ((pause.to ?? end) - pause.from > PAUSE_LIMIT_MS) pausedOverMinute += 1;

  const unended = Object.values(shared.queues)
    .flatMap((queue) => [...queue.jobs.values()])
    .filter((job) => job.state !== 'completed' && job.state !== 'failed').length;

  return {
    duplicates,
    lost,
    unverified,
    unreachable_not_disabled: unreachableNotDisabled,
    retried_after_disable: retried,
    wrongly_disabled: wronglyDisabled,
    paused_over_minute: pausedOverMinute,
    unended_jobs: unended,
    invalid_10min_max: maxInWindow(platforms.invalid, 600_000),
    per_post_in_digest: perPostInDigest,
    stale_after_edit: stale,
    version_regressed: regressed,
    followups_twice: followupsTwice,
    slack_rate_429: slackRate429,
    stale_archived: staleArchived,
    followups_missing: followupsMissing,
  };
}

/** Whether a channel took digests at a moment: its option at the start, then each switch as it happened. */
function digestTimeline(world: SimWorld): (channelId: string, at: number) => boolean {
  const initial = new Map(world.schedule.features.channels.map((f) => [f.channelId, f.digest !== null]));
  return (channelId, at) => {
    let digest = initial.get(channelId) ?? false;
    for (const change of world.switches)
      if (change.channelId === channelId && change.at <= at) digest = change.to !== null;
    return digest;
  };
}

/** Whether the platform ever told the bot it lost access to this channel (Discord 50001, Slack token_revoked). */
function lostAccessAnswered(world: SimWorld, channelId: string): boolean {
  const guildId = world.platforms.discordChannels.get(channelId);
  if (guildId) {
    const removedAt = world.platforms.guilds.get(guildId)!.removedAt!;
    return world.platforms.requests.some(
      (r) => r.channelId === channelId && r.status === 403 && r.at >= removedAt,
    );
  }
  const teamId = world.platforms.slackChannels.get(channelId)!;
  const revokedAt = world.platforms.workspaces.get(teamId)!.revokedAt!;
  return world.platforms.requests.some((r) => r.channelId === channelId && r.at >= revokedAt);
}

/** The most timestamps in any window of `windowMs`. */
function maxInWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  let from = 0;
  for (let to = 0; to < times.length; to++) {
    while (times[to]! - times[from]! >= windowMs) from += 1;
    best = Math.max(best, to - from + 1);
  }
  return best;
}

/** For a failing schedule: each lost or unended delivery's job, and what the platform last answered there. */
export function explain(world: SimWorld): string[] {
  const lines: string[] = [];
  const jobs = [...world.shared.queues.discord.jobs.values(), ...world.shared.queues.slack.jobs.values()];
  for (const job of jobs) {
    const data = job.data as { postId?: string; channelId: string; action?: string };
    const n = Number(/sim-post-(\d+)/.exec(data.postId ?? '')?.[1]);
    const arrived = world.platforms.messages.some(
      (m) =>
        m.byBot &&
        m.home === data.channelId &&
        (data.action === 'digest' ? m.digest !== null : m.post === n || m.listed.includes(n)),
    );
    const ended = job.state === 'completed' || job.state === 'failed';
    if (arrived && ended) continue;
    const answers = world.platforms.requests
      .filter((request) => request.channelId === data.channelId)
      .slice(-4)
      .map((request) => `${request.status}@${Math.round((request.at - world.start) / 1000)}s`);
    lines.push(
      `${job.id}: ${job.state} after ${job.attemptsMade} attempts (${job.attemptsStarted} started)` +
        `${job.failedReason ? `, ${job.failedReason}` : ''}${arrived ? '' : ', never arrived'}; last answers ${answers.join(' ')}`,
    );
  }
  return lines;
}
