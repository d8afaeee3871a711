import { Queue } from 'bullmq';
import type { Config, FeedConfig } from '../../src/config.js';
import { pollFeed } from '../../src/feeds/poller.js';
import type { Logger } from '../../src/logger.js';
import { reportFailure } from '../cli-errors.js';
import { announcePostsChanged } from '../index-sync.js';
import { BullAnnouncementSink, QUEUE } from '../queues.js';
import { pollDeps, withStores } from '../stores.js';

/** `psf-bot poll --once`: one forced poll of each feed; exit 1 when any feed failed. */
export async function runPoll(
  config: Config,
  feeds: FeedConfig[],
  json: boolean,
  logger: Logger,
): Promise<number> {
  return withStores(config, logger, async (stores) => {
    const queue = new Queue(QUEUE.announce, { connection: stores.target.connection, prefix: stores.prefix });
    try {
      const sink = new BullAnnouncementSink(
        queue,
        () => new Date(),
        stores.announcements,
        stores.editSequence,
      );
      let failed = 0;
      for (const feed of feeds) {
        const result = await pollFeed(feed, pollDeps(config, stores, sink, logger), { force: true });
        if (result.status === 200) await announcePostsChanged(stores.redis, stores.prefix, feed.name);
        const { skipped: _skipped, ...line } = result;
        // A failed feed is one plain line on stderr with or without --json (docs/cli.md).
        if (result.status === 'error') reportFailure(result.error ?? `feed ${feed.name} failed`);
        if (json) {
          process.stdout.write(`${JSON.stringify(line)}\n`);
        } else if (result.status !== 'error') {
          const queued = result.new.length;
          process.stdout.write(
            `${feed.name}: ${result.status === 304 ? 'not modified' : 'fetched'}; ` +
              `${queued} new post${queued === 1 ? '' : 's'} queued for announcement, ${result.seeded} remembered without announcing\n`,
          );
        }
        if (result.status === 'error') failed += 1;
      }
      return failed > 0 ? 1 : 0;
    } finally {
      await queue.close();
    }
  });
}
