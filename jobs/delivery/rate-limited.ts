import { DelayedError, Worker } from 'bullmq';
import type { DeliveryError } from '../../src/delivery/announcer.js';
import type { TenantHolds } from '../../src/delivery/tenant-holds.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import type { DeliverJobHandle } from './deliver.js';

/**
 * Who waits after a 429 (this file only reacts to 429s; proactive send budgets live elsewhere):
 * - `global` (Discord's per-token limit): the whole platform queue pauses (`Queue#rateLimit`), every process;
 * - `workspace` (Slack: limits are per workspace and method): a hold on that workspace in Redis, and this
 *   job moves to delayed; the workspace's other jobs see the hold and wait it out the same way;
 * - `channel` (a Discord per-route bucket): a hold on that channel, and this job moves to delayed.
 * Moving a job to delayed (`job.moveToDelayed` + `DelayedError`) spends no attempt and holds no worker,
 * so other tenants' jobs keep flowing: https://docs.bullmq.io/patterns/process-step-jobs
 */
export interface RateLimitDeps {
  /** Pauses the whole deliver queue, for every worker process (`Queue#rateLimit`). */
  rateLimit(ms: number): Promise<void>;
  /** Per-tenant holds; without them a non-global 429 still delays only this job. */
  holds?: TenantHolds;
}

/** Shortest wait honoured after a rate limit that named none, so a worker never spins on a 429. */
export const MIN_RATE_LIMIT_MS = 250;

/** Spreads the wake-ups of a held tenant's jobs, so they do not all ask again in the same instant. */
const WAKE_JITTER_MS = 200;

/**
 * The hold names a 429 of each scope puts on a channel's tenants. A 429 to the look before a re-send (Slack
 * `conversations.history`, Discord's channel read) is about that read method only: it holds `look:` + the
 * tenant, which only deliveries about to look wait for; sends keep flowing.
 */
export function tenantKeys(channel: ChannelRef): { workspace: string; channel: string } {
  const workspace = `${channel.platform}:${channel.workspaceId}`;
  return { workspace, channel: `${workspace}:${channel.channelId}` };
}

const LOOK = 'look:';

/**
 * A 429 to a look marks its workspace's reads as tight for this long (Slack's one history read a minute for apps
 * outside the Marketplace): looks there then go one at a time (look-session.ts). Elsewhere several may run.
 */
export const LOOK_TIGHT_MS = 3_600_000;
const TIGHT = 'look-tight:';

/** Whether a look in the channel's workspace met a 429 within the last `LOOK_TIGHT_MS`. */
export async function looksAreTight(deps: RateLimitDeps, channel: ChannelRef): Promise<boolean> {
  return ((await deps.holds?.remaining(TIGHT + tenantKeys(channel).workspace)) ?? 0) > 0;
}

/** Delays the job to `at` without spending an attempt; the caller throws what this returns. */
async function delay(job: DeliverJobHandle, token: string | undefined, waitMs: number): Promise<Error> {
  await job.moveToDelayed(Date.now() + waitMs + Math.floor(Math.random() * WAKE_JITTER_MS), token);
  return new DelayedError();
}

/** Turns a rate-limited failure into the error BullMQ should see, holding only what the 429 was about. */
export async function reactToRateLimit(
  deps: RateLimitDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
  error: DeliveryError,
  looking = false,
): Promise<Error> {
  const waitMs = Math.max(error.retryAfterMs ?? 0, MIN_RATE_LIMIT_MS);
  if (error.scope === 'global') {
    await deps.rateLimit(waitMs);
    return Worker.RateLimitError();
  }
  const keys = tenantKeys(channel);
  const tenant = error.scope === 'workspace' ? keys.workspace : keys.channel;
  await deps.holds?.hold(looking ? LOOK + tenant : tenant, waitMs);
  if (looking) await deps.holds?.hold(TIGHT + keys.workspace, LOOK_TIGHT_MS);
  return delay(job, token, waitMs);
}

/** Before a look: when looking in the channel or its workspace is held, waits the hold out in delayed (throws). */
export async function waitOutLookHolds(
  deps: RateLimitDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
): Promise<void> {
  return waitOutHolds(deps, job, token, channel, LOOK);
}

/** Before a send: when the channel or its workspace is held, waits the hold out in delayed (throws). */
export async function waitOutTenantHolds(
  deps: RateLimitDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
): Promise<void> {
  return waitOutHolds(deps, job, token, channel, '');
}

/** Waits out the longer of the holds named `prefix` + the channel's workspace and `prefix` + the channel. */
async function waitOutHolds(
  deps: RateLimitDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
  prefix: string,
): Promise<void> {
  if (!deps.holds) return;
  const keys = tenantKeys(channel);
  const [workspace, own] = await Promise.all([
    deps.holds.remaining(prefix + keys.workspace),
    deps.holds.remaining(prefix + keys.channel),
  ]);
  const waitMs = Math.max(workspace, own);
  if (waitMs > 0) throw await delay(job, token, waitMs);
}
