import { Queue } from 'bullmq';
import { createDeliveryWorkers, createFanoutWorker } from '../../jobs/delivery/workers.js';
import { BullAnnouncementSink, QUEUE } from '../../jobs/queues.js';
import { MemoryDeliveryCounters } from '../../src/delivery/counters.js';
import { RedisDecisionLog } from '../../src/delivery/decisions.js';
import { RedisDeliveryLedger } from '../../src/delivery/redis-delivery-ledger.js';
import { ScriptedAnnouncer } from '../../src/delivery/scripted-announcer.js';
import { RedisAnnouncementLog } from '../../src/digests/announcement-log.js';
import { RedisDigestHistory } from '../../src/digests/digest-history.js';
import { RedisDigestMarks } from '../../src/digests/digest-marks.js';
import type { DigestSchedule } from '../../src/digests/period.js';
import { MemoryPostStore } from '../../src/store/memory-post-store.js';
import { RedisSubscriptionStore } from '../../src/subscriptions/redis-subscription-store.js';
import { figure, type Figure } from '../lib/figures.js';
import { productLogger } from '../lib/pipeline.js';
import { deliveryPost, subscription } from '../lib/posts.js';
import { withPrefix } from '../lib/redis.js';
import { testRedisOptions } from '../../tests/helpers/test-redis.js';

const CHANNELS = 500;
const POSTS = 20;
const SCHEDULE: DigestSchedule = { hour: 15, minute: 0, weekday: 1 };

/**
 * A daily digest boundary: `CHANNELS` digest channels, `POSTS` posts announced that day, each channel's digest
 * built and sent by one deliver worker (console platform: an in-memory announcer, so the figure is the
 * pipeline's own cost: the announcement log, the ledger reads, and the settle check of each listed post's
 * fan-out and deliver job before the digest is built). Seconds from the planning job to the last digest sent.
 */
export async function digestBoundary(): Promise<Figure[]> {
  return withPrefix('digests', async (redis, prefix) => {
    let clock = new Date('2026-12-01T10:00:00Z');
    const now = () => clock;
    const logger = productLogger();
    const posts = new MemoryPostStore();
    const made = Array.from({ length: POSTS }, (_, i) => deliveryPost(900 + i, clock));
    await posts.save(made);
    const subscriptions = new RedisSubscriptionStore(redis, prefix);
    for (let i = 0; i < CHANNELS; i++) {
      const sub = subscription('console', 'bench', `digest-${i}`);
      await subscriptions.put({
        ...sub,
        createdAt: '2026-11-01T00:00:00.000Z',
        options: { digest: 'daily' },
      });
    }
    const ledger = new RedisDeliveryLedger(redis, prefix);
    const announcements = new RedisAnnouncementLog(redis, prefix);
    const announcer = new ScriptedAnnouncer('console');
    const connection = testRedisOptions();
    const common = { connection, prefix, posts, subscriptions, logger };
    const fanout = createFanoutWorker({
      ...common,
      platforms: ['console'],
      config: { deliveryAttempts: 5 },
      ledger,
      decisions: new RedisDecisionLog(redis, prefix),
      digests: { announcements, schedule: SCHEDULE, now, settleMs: 0 },
    });
    const deliver = createDeliveryWorkers({
      ...common,
      announcers: { console: announcer },
      ledger,
      counters: new MemoryDeliveryCounters(),
      config: {},
      concurrency: { console: 10 },
      limits: { console: { max: 10_000, duration: 1_000 } },
      digests: {
        announcements,
        marks: new RedisDigestMarks(redis, prefix),
        history: new RedisDigestHistory(redis, prefix),
      },
    });
    const announceQueue = new Queue(QUEUE.announce, { connection, prefix });
    const digestQueue = new Queue(QUEUE.digest, { connection, prefix });
    try {
      await new BullAnnouncementSink(announceQueue, now, announcements).enqueue(made);
      await until(async () => (await announceQueue.getCompletedCount()) === POSTS);
      clock = new Date('2026-12-01T15:00:00Z');
      const started = performance.now();
      await digestQueue.add('digest', { cadence: 'daily' }, { jobId: 'bench-boundary' });
      await until(() => announcer.digests.length >= CHANNELS);
      const seconds = (performance.now() - started) / 1000;
      const listed = announcer.digests.reduce((sum, sent) => sum + sent.digest.posts.length, 0);
      const note = `${CHANNELS} daily digest channels × ${POSTS} posts, one in-process worker (concurrency 10); ${announcer.digests.length} digests listing ${listed} posts (at most 10 each, then "and N more"), none per post: ${announcer.sent.length}`;
      return [figure('digest_boundary_seconds', seconds, 's', { digits: 2, note })];
    } finally {
      await fanout.close();
      await deliver.close();
      await Promise.all([announceQueue.close(), digestQueue.close()]);
    }
  });
}

async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}
