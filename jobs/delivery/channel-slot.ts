import { DelayedError } from 'bullmq';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import type { DeliverDeps, DeliverJobHandle } from './deliver.js';

/**
 * Added to the per-channel interval: slots exactly one interval apart reach the platform a few ms closer
 * together or further apart (scheduling jitter), and closer earns a 429.
 */
const PACING_MARGIN_MS = 20;

/** How long before its slot a paced job is woken, and the longest it then waits in the worker. */
const EARLY_WAKE_MS = 100;

/**
 * Takes the job's own slot on the channel. Until shortly before it comes the job waits in delayed (no
 * attempt spent, no worker held); it is woken early because promotion from delayed takes tens of ms, and
 * the last moments are waited out here.
 */
export async function waitForChannelSlot(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
  pacing = deps.pacing,
): Promise<void> {
  if (!pacing) return;
  const reserve = () => pacing.pacer.reserve(channel, pacing.intervalMs + PACING_MARGIN_MS, String(job.id));
  let waitMs = await reserve();
  for (let i = 0; i < 5 && waitMs > 0 && waitMs <= EARLY_WAKE_MS; i++) {
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    waitMs = await reserve();
  }
  if (waitMs <= 0) return;
  await job.moveToDelayed(Date.now() + Math.max(1, waitMs - EARLY_WAKE_MS), token);
  throw new DelayedError();
}

/** The longest a re-send waits in the worker for a fresh slot after its look (longer: it waits in delayed). */
export const RESEND_INLINE_WAIT_MS = 5_000;

/**
 * A fresh slot for a re-send, taken after the look before it. The job's slot was taken before the look, and
 * the look (a history read, perhaps a wait for its turn) ran since: sending on that old slot would put this
 * message closer to the ones sent on the slots after it than the channel's interval and the workspace's budget
 * allow (the budget logs a slot as a send). A wait of a few seconds is waited out here, so the look is not
 * repeated; a longer one waits in delayed (the next run looks again, since a look must precede a re-send).
 */
export async function freshSlotForResend(
  deps: DeliverDeps,
  job: DeliverJobHandle,
  token: string | undefined,
  channel: ChannelRef,
): Promise<void> {
  const pacing = deps.pacing;
  if (!pacing) return;
  const reserve = () => pacing.pacer.reserve(channel, pacing.intervalMs + PACING_MARGIN_MS, String(job.id));
  let waitMs = await reserve();
  for (let i = 0; i < 5 && waitMs > 0 && waitMs <= RESEND_INLINE_WAIT_MS; i++) {
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    waitMs = await reserve();
  }
  if (waitMs <= 0) return;
  await job.moveToDelayed(Date.now() + Math.max(1, waitMs - EARLY_WAKE_MS), token);
  throw new DelayedError();
}
