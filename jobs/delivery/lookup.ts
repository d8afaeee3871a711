import type { Queue } from 'bullmq';
import type {
  DeliveryLookup,
  DeliveryState,
  DigestLookup,
  FinalDigest,
  TestAnnouncer,
} from '../../src/commands/types.js';
import type { DeliveryLedger } from '../../src/delivery/ledger.js';
import type { DigestHistory } from '../../src/digests/digest-history.js';
import { latestPeriod, periodLengthMs, type DigestSchedule } from '../../src/digests/period.js';
import type { Announcer } from '../../src/delivery/announcer.js';
import type { Platform } from '../../src/posts/post.js';
import type { DeliverJobHandle } from './deliver.js';
import type { PerPostJobs } from './digest-handover.js';
import type { EditQueue } from './stale-send.js';
import {
  announceJobId,
  deliverJobId,
  deliverJobOptions,
  deliverQueueName,
  digestJobId,
  digestLedgerKey,
  finalDigestKey,
  RETENTION,
} from '../queues.js';

/** Where the deliver job of (post, channel) stands, read from its platform's deliver queue (`/psf why`). */
export function deliveryLookup(queues: readonly Queue[]): DeliveryLookup {
  return {
    async state(post, channel): Promise<DeliveryState> {
      const queue = queues.find((candidate) => candidate.name === deliverQueueName(channel.platform));
      const job = queue ? await queue.getJob(deliverJobId(post, channel)) : undefined;
      if (!job) return { state: 'none' };
      const state = await job.getState();
      if (state === 'failed')
        return { state: 'failed', error: (job.failedReason || 'unknown error').slice(0, 300) };
      if (state === 'completed') {
        const outcome = job.returnvalue as { status?: string; reason?: string } | null;
        return outcome?.status === 'skipped'
          ? { state: 'skipped', reason: outcome.reason ?? 'skipped' }
          : { state: 'done' };
      }
      return state === 'unknown' ? { state: 'none' } : { state: 'queued' };
    },
  };
}

/** Which digest listed a post in a channel (history, then its ledger entry for the link), and the next one due. */
export function digestLookup(
  history: DigestHistory,
  ledger: DeliveryLedger,
  schedule: DigestSchedule,
): DigestLookup {
  return {
    async listedIn(channel, announcedAt) {
      const sent = await history.covering(channel, announcedAt);
      if (!sent) return null;
      const entry = await ledger.get(digestLedgerKey(sent.periodKey), channel);
      return { cadence: sent.cadence, periodEnd: sent.end, entry };
    },
    nextDue(cadence, now) {
      const latest = latestPeriod(cadence, schedule, now).end;
      return new Date(latest.getTime() + periodLengthMs(cadence));
    },
  };
}

/**
 * `/psf test` through the platform's own announcer, so the result is an announcement marked as a test (a
 * look before a re-send never takes it for the delivery); a fresh nonce each time (Discord would otherwise
 * hand back the earlier test message, and on Slack the nonce in its metadata is no delivery's), and no
 * ledger entry.
 */
export function testAnnouncer(announcers: Partial<Record<Platform, Announcer>>): TestAnnouncer {
  return {
    async announce(post, channel, options) {
      const announcer = announcers[channel.platform];
      if (!announcer) throw new Error(`${channel.platform} is not configured here`);
      const nonce = `test${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`.slice(0, 25);
      return announcer.announce(
        post,
        { workspaceId: channel.workspaceId, channelId: channel.channelId, options },
        nonce,
        'test',
      );
    },
  };
}

/**
 * `digest off`: queues the channel's last digest (what was announced since its last one, up to now) on its
 * platform's deliver queue, one per channel and minute; the deliver processor sends it only if still off.
 */
export function finalDigests(queues: readonly Queue[], attempts: number, backoffMs?: number): FinalDigest {
  return {
    async queue(channel, cadence, at) {
      const queue = queues.find((candidate) => candidate.name === deliverQueueName(channel.platform));
      if (!queue) return;
      const periodKey = finalDigestKey(cadence, at);
      const data = { action: 'digest' as const, ...channel, cadence, periodKey, periodEnd: at.toISOString() };
      const opts = { ...deliverJobOptions(attempts, backoffMs), jobId: digestJobId(channel, periodKey) };
      await queue.add('digest', { ...data, final: true }, opts);
    },
  };
}

/** Whether a job in this state exists and has not finished (waits, runs, is delayed or prioritised). */
function unfinished(state: string): boolean {
  return state !== 'completed' && state !== 'failed' && state !== 'unknown';
}

/**
 * `PerPostJobs` over the queues: a post's fan-out (`announce`) or its deliver job to the channel is unfinished.
 * The states are asked all at once (one round trip's wait, not two per post).
 */
export function perPostJobs(announce: Queue, deliver: Queue): PerPostJobs {
  return {
    async anyPending(posts, channel) {
      const states = await Promise.all(
        posts.flatMap((post) => [
          announce.getJobState(announceJobId(post)),
          deliver.getJobState(deliverJobId(post, channel)),
        ]),
      );
      return states.some(unfinished);
    },
  };
}

/** `EditQueue` over a deliver queue: the edit takes the attempts and back-off of the job that queues it. */
export function editQueue(deliver: Queue): EditQueue {
  return {
    async add(data, jobId, like: DeliverJobHandle['opts']) {
      const { attempts, backoff } = like;
      await deliver.add('edit', data, {
        ...RETENTION,
        ...(attempts !== undefined ? { attempts } : {}),
        ...(backoff !== undefined ? { backoff } : {}),
        jobId,
      });
    },
  };
}
