import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deliverQueueName } from '../../../jobs/queues.js';
import { deletePrefix, REDIS_URL, runCli, uniquePrefix } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/delivery-fixtures.js';
import { FIXTURES } from '../../helpers/fixtures.js';
import { testRedisOptions } from '../../helpers/test-redis.js';

// docs/cli.md: `deliveries failed` lists unverified deliveries (a lost answer no look could check within 30
// minutes) as such, and `deliveries retry` forces them: the re-driven job sends without looking again.

const prefix = uniquePrefix('cli-unverified');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const env = { REDIS_PREFIX: prefix, PSF_FEEDS: `psf=${FIXTURES.bloggerAtom}` };
const connection = testRedisOptions();

afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

/** A Slack deliver job that failed as the deliver processor fails an unverified one, and one failed otherwise. */
async function failedJobs(queue: Queue): Promise<void> {
  const data = (channelId: string) => ({
    feed: 'psf',
    postId: 'p1',
    announcedAt: new Date().toISOString(),
    platform: 'slack',
    workspaceId: 'T1',
    channelId,
  });
  await queue.add('deliver', data('CUNVERIFIED'), { jobId: 'job-unverified' });
  await queue.add('deliver', data('CREJECTED'), { jobId: 'job-rejected' });
  const worker = new Worker(
    queue.name,
    async (job) => {
      throw new UnrecoverableError(
        job.id === 'job-unverified'
          ? 'unverified: no look could show within its deadline whether a message was posted'
          : 'msg_too_long: too long',
      );
    },
    { connection, prefix },
  );
  try {
    await waitFor(async () => (await queue.getFailedCount()) === 2, 'both jobs to fail');
  } finally {
    await worker.close();
  }
}

describe('unverified deliveries on the command line', () => {
  it('are listed as UNVERIFIED, and a retry sends them without looking again', async () => {
    const queue = new Queue(deliverQueueName('slack'), { connection, prefix });
    try {
      await failedJobs(queue);
      const text = await runCli(['deliveries', 'failed'], env);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/^job-unverified .*UNVERIFIED/m);
      expect(text.stdout).toMatch(/^job-rejected (?!.*UNVERIFIED)/m);
      const json = await runCli(['deliveries', 'failed', '--json'], env);
      const listed = JSON.parse(json.stdout) as { jobId: string; unverified: boolean }[];
      expect(Object.fromEntries(listed.map((item) => [item.jobId, item.unverified]))).toEqual({
        'job-unverified': true,
        'job-rejected': false,
      });

      const retry = await runCli(['deliveries', 'retry', 'job-unverified', 'job-rejected', '--json'], env);
      expect(JSON.parse(retry.stdout)).toEqual({ retried: ['job-unverified', 'job-rejected'], notFound: [] });
      expect((await queue.getJob('job-unverified'))!.data).toMatchObject({ look: { force: true } });
      expect((await queue.getJob('job-rejected'))!.data).not.toHaveProperty('look');
    } finally {
      await queue.close();
    }
  });
});
