import { DelayedError } from 'bullmq';
import { z } from 'zod';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import type { DeliverDeps, DeliverJobHandle } from './deliver.js';
import type { LookProgress, LookSession } from './look-first.js';
import { looksAreTight, tenantKeys, waitOutLookHolds } from './rate-limited.js';

/** A look waiting its turn asks again after this long per look ahead of it, at most `MAX_TURN_WAIT_MS`. */
export const TURN_WAIT_MS = 1_000;

/**
 * Looks that may read at once in a workspace whose reads are not known to be tight: Slack's usual limit for
 * `conversations.history` is some 50 a minute, and one at a time would leave a workspace with hundreds of looks
 * after a proxy outage waiting minutes. After a look's 429 the workspace goes one at a time (`looksAreTight`).
 */
export const LOOK_WIDTH = 8;
const MAX_TURN_WAIT_MS = 10_000;

/** The look's progress as kept in the job's data (`look`); anything unreadable starts the look afresh. */
const progressSchema = z.object({
  startedAt: z.number(),
  cursor: z.string().max(1_000).optional(),
  force: z.boolean().optional(),
});

/** The look progress a job's data carries, if any. */
export function lookProgressOf(data: unknown): LookProgress | undefined {
  const look = (data as { look?: unknown } | null)?.look;
  const parsed = progressSchema.safeParse(look);
  if (!parsed.success) return undefined;
  const { startedAt, cursor, force } = parsed.data;
  return { startedAt, ...(cursor ? { cursor } : {}), ...(force ? { force } : {}) };
}

/** Job data with the look progress replaced (null: removed). */
export function withLookProgress(data: object, progress: LookProgress | null): Record<string, unknown> {
  const { look: _previous, ...rest } = data as Record<string, unknown>;
  return progress ? { ...rest, look: progress } : rest;
}

/**
 * A deliver job's look: its progress lives in the job's data (so a held look resumes where it stopped, in
 * whichever worker), it waits out holds on looking, and, where the platform limits reads per workspace
 * (`lookTurns`: Slack), it takes its turn in the workspace's line, waiting in delayed (no attempt spent).
 */
export function createLookSession(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
): LookSession {
  const ticket = String(job.id);
  const workspace = tenantKeys(channel).workspace;
  const turns = deps.lookTurns;
  return {
    progress: lookProgressOf(job.data),
    async save(progress) {
      await job.updateData?.(withLookProgress(job.data as object, progress));
    },
    async begin() {
      await waitOutLookHolds(deps, job, token, channel);
      const ahead = (await turns?.take(workspace, ticket)) ?? 0;
      if (ahead === 0) return; // at the head: its turn however tight the workspace is, no need to ask
      const width = (await looksAreTight(deps, channel)) ? 1 : LOOK_WIDTH;
      if (ahead < width) return;
      const waitMs = Math.min((ahead - width + 1) * (deps.turnWaitMs ?? TURN_WAIT_MS), MAX_TURN_WAIT_MS);
      await job.moveToDelayed(Date.now() + waitMs, token);
      throw new DelayedError();
    },
    async end(again) {
      await turns?.release(workspace, ticket, again);
    },
  };
}
