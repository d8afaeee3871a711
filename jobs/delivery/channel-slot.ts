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
