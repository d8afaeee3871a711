import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { postKey } from '../../../src/posts/identity.js';
import { makePosts, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';
import { PrivateRedis } from '../../helpers/private-redis.js';
import {
  clearRecording,
  countMessages,
  readRecording,
  RecordingAnnouncer,
} from '../../helpers/delivery-recording-announcer.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

const platformRedis = new Redis(testRedisOptions()); // the "platform" stays up
const prefix = uniquePrefix('delivery-restart');
const recordingKey = `${prefix}:platform`;
let server: PrivateRedis | undefined;

afterAll(async () => {
  await server?.stop();
  await clearRecording(platformRedis, recordingKey);
  await platformRedis.quit();
});

describe('the bot’s Redis killed and restarted mid-run', () => {
  it('loses nothing and delivers nothing twice', async () => {
    // A private redis-server writing every command to its AOF before answering.
    server = await PrivateRedis.start({ persist: true });
    const posts = makePosts(3);
    const announcer = new RecordingAnnouncer('console', platformRedis, recordingKey, 'in-process', 20);
    const harness = await startHarness({
      prefix,
      redis: server.where,
      announcers: { console: announcer },
      posts,
      subscriptions: Array.from({ length: 50 }, (_, i) => makeSubscription(i)),
      concurrency: { console: 3 },
      limits: { console: { max: 1000, duration: 1000 } },
      // A job moved to active just as Redis died may never reach its worker (the reply was lost): it comes
      // back as a stalled job once its lock expires. Short locks make that seconds; BullMQ's defaults, about
      // a minute (observed: 149 delivered at once, the 150th ~60 s later, once).
      tuning: { lockDuration: 2_000, stalledInterval: 1_000 },
    });
    try {
      await harness.sink.enqueue(posts);
      await waitFor(async () => (await countMessages(platformRedis, recordingKey)) >= 40, '40 messages');
      await server.kill(); // SIGKILL: no shutdown save; only the fsynced AOF survives
      const atKill = await countMessages(platformRedis, recordingKey);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await server.up();

      await waitFor(
        async () => (await countMessages(platformRedis, recordingKey)) >= 150 && (await harness.idle()),
        '150 messages',
        30_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      const { calls, messages } = await readRecording(platformRedis, recordingKey);
      const pairs = new Set(messages.map((m) => `${m.postId}>${m.channelId}`));
      let recorded = 0;
      for (const post of posts)
        recorded += (await harness.ledger.forPost(postKey(post.feed, post.id))).length;
      console.log(
        `[delivery-report] Redis SIGKILL+restart (AOF always) after ${atKill} messages: messages=${messages.length} ` +
          `distinct=${pairs.size} duplicates=${messages.length - pairs.size} lost=${150 - pairs.size} sends=${calls.length} ` +
          `(re-sends absorbed by nonce: ${calls.length - messages.length}) ledger=${recorded} stalled-jobs-recovered=${harness.stalled()}`,
      );
      expect(messages).toHaveLength(150);
      expect(pairs.size).toBe(150);
      expect(recorded).toBe(150);
      expect(await harness.deliverQueues.console!.getFailedCount()).toBe(0);
    } finally {
      await harness.close();
    }
  });
});
