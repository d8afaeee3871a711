import type { SimWorld } from './world.js';

// What a schedule put the pipeline through, counted from the platforms and the queue twins: so a run's figures
// show that each fault really happened, not only that nothing broke.

export interface Exercised {
  /** Messages the bot posted (duplicates included). */
  messages: number;
  requests: number;
  /** Discord channel reads and Slack `conversations.history` calls. */
  looks: number;
  lost_answers: number;
  http_5xx: number;
  discord_429_global: number;
  discord_429_user: number;
  discord_429_shared: number;
  slack_429: number;
  /** 429s from Slack's Marketplace-less history limit. */
  history_429: number;
  stray_401: number;
  html_404: number;
  /** Discord 50001 answers from servers that removed the bot. */
  missing_access: number;
  /** Slack `token_revoked` answers. */
  token_revoked: number;
  stalled_jobs: number;
  guard_trips: number;
  worker_kills: number;
  redis_restarts: number;
  people_messages: number;
  /** Digest messages the bot posted (regular and final). */
  digests: number;
  /** Managers switching a channel to or from digests. */
  digest_switches: number;
  /** Posts changed after publishing (each change once). */
  post_edits: number;
  /** Edits the platforms accepted (`PATCH` of a message, `chat.update`). */
  message_edits: number;
  /** Edits Discord refused in an archived forum thread (50083). */
  archived_edit_refusals: number;
  forum_posts: number;
  /** Forum looks: active and archived thread lists. */
  forum_looks: number;
  /** Forum posts whose thread archived during the schedule. */
  archived_threads: number;
  crossposts: number;
  threads_opened: number;
  /** Crossposts and threads asked for again and refused (40033, 160004). */
  followup_repeats: number;
  /** 429s Discord answered to edits of crossposted messages (about 3 an hour per channel). */
  crossposted_edit_429: number;
  /** Slack workspaces whose SLACK_WORKSPACE_RATE (and Slack's limit) was below the default 20. */
  tight_send_budgets: number;
  /** Slack sends the workspace's budget (SLACK_WORKSPACE_RATE) held back beyond their channel's interval. */
  budget_waits: number;
  /** Most `chat.postMessage`s one workspace accepted in any second (the greatest over schedules when summed). */
  slack_peak_per_s: number;
}

export function exercised(world: SimWorld): Exercised {
  const requests = world.platforms.requests;
  const met = (kind: string) => requests.filter((request) => request.fault === kind).length;
  const queues = Object.values(world.shared.queues);
  return {
    messages: world.platforms.messages.filter((message) => message.byBot).length,
    requests: requests.length,
    looks: requests.filter((request) => request.look).length,
    lost_answers: requests.filter((request) => request.status === 'lost').length,
    http_5xx: met('5xx'),
    discord_429_global: met('429-global'),
    discord_429_user: met('429-user'),
    discord_429_shared: met('429-shared'),
    slack_429: met('429-workspace'),
    history_429: requests.filter((request) => request.look && request.status === 429 && !request.fault)
      .length,
    stray_401: met('401'),
    html_404: met('html404'),
    missing_access: requests.filter((request) => request.platform === 'discord' && request.status === 403)
      .length,
    token_revoked: world.platforms.tokenRevokedAnswers,
    stalled_jobs: queues.reduce((sum, queue) => sum + queue.stalls, 0),
    guard_trips: world.shared.guard.periods.length,
    worker_kills: world.schedule.kills.length,
    redis_restarts: world.shared.redis.restarts,
    people_messages: world.platforms.messages.filter((message) => !message.byBot).length,
    digests: world.platforms.messages.filter((message) => message.byBot && message.digest !== null).length,
    digest_switches: world.switches.length,
    post_edits: world.schedule.features.edits.length,
    message_edits: requests.filter((request) => request.route === 'edit' && request.status === 200).length,
    archived_edit_refusals: requests.filter((request) => request.code === 50083).length,
    forum_posts: requests.filter((request) => request.route === 'forum-post' && request.status === 200)
      .length,
    forum_looks: requests.filter((request) => request.route === 'forum-look').length,
    archived_threads: [...world.platforms.threads.values()].filter((thread) =>
      world.platforms.archived(thread),
    ).length,
    crossposts: requests.filter((request) => request.route === 'crosspost' && request.status === 200).length,
    threads_opened: requests.filter((request) => request.route === 'thread' && request.status === 200).length,
    followup_repeats: requests.filter((request) => request.code === 40033 || request.code === 160004).length,
    crossposted_edit_429: requests.filter(
      (request) =>
        request.platform === 'discord' &&
        request.route === 'edit' &&
        request.status === 429 &&
        !request.fault,
    ).length,
    tight_send_budgets:
      (world.schedule.features.slackWorkspaceRate ?? 20) < 20 ? world.schedule.workspaces.length : 0,
    budget_waits: 'workspaceWaits' in world.shared.pacer ? world.shared.pacer.workspaceWaits : 0,
    slack_peak_per_s: peakPerSecond(world),
  };
}

/** The most `chat.postMessage`s one Slack workspace accepted within any one second. */
function peakPerSecond(world: SimWorld): number {
  let peak = 0;
  for (const [teamId] of world.platforms.workspaces) {
    const times = world.platforms.requests
      .filter(
        (request) =>
          request.platform === 'slack' &&
          request.route === 'send' &&
          request.status === 200 &&
          world.platforms.slackChannels.get(request.channelId ?? '') === teamId,
      )
      .map((request) => request.at);
    let from = 0;
    for (let to = 0; to < times.length; to++) {
      while (times[to]! - times[from]! >= 1_000) from += 1;
      peak = Math.max(peak, to - from + 1);
    }
  }
  return peak;
}

/** Sums two tallies. */
export function addExercised(a: Exercised, b: Exercised): Exercised {
  const sum = { ...a };
  for (const key of Object.keys(b) as (keyof Exercised)[])
    sum[key] = key === 'slack_peak_per_s' ? Math.max(a[key], b[key]) : a[key] + b[key];
  return sum;
}
