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
  };
}

/** Sums two tallies. */
export function addExercised(a: Exercised, b: Exercised): Exercised {
  const sum = { ...a };
  for (const key of Object.keys(b) as (keyof Exercised)[]) sum[key] = a[key] + b[key];
  return sum;
}
