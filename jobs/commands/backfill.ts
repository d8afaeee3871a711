import { SingleBar } from 'cli-progress';
import type { Config, FeedConfig } from '../../src/config.js';
import { backfillFeed } from '../../src/feeds/backfill.js';
import type { Logger } from '../../src/logger.js';
import { announcePostsChanged } from '../index-sync.js';
import { withStores } from '../stores.js';

/** Said when one page was read of a feed that has more: how to read them all. */
const MORE_PAGES =
  '; the feed has more pages than this one (it links to a next page): give the live URL, or a folder of start-index-N.xml pages, to index them all';

/** `psf-bot backfill`: indexes each feed's whole archive, announcing nothing; a progress bar on a terminal. */
export async function runBackfill(
  config: Config,
  feeds: FeedConfig[],
  json: boolean,
  logger: Logger,
): Promise<number> {
  return withStores(config, logger, async (stores) => {
    for (const feed of feeds) {
      const bar =
        process.stderr.isTTY && !json
          ? new SingleBar({
              format: `${feed.name} [{bar}] {value}/{total} posts, {pages} pages`,
              stream: process.stderr,
              hideCursor: true,
            })
          : null;
      bar?.start(1, 0, { pages: 0 });
      try {
        const result = await backfillFeed(
          feed,
          { posts: stores.posts, memory: stores.memory, fetchOptions: config.fetch, logger },
          (progress) => {
            bar?.setTotal(Math.max(progress.total ?? progress.posts, progress.posts));
            bar?.update(progress.posts, { pages: progress.pages });
          },
        );
        bar?.stop();
        await announcePostsChanged(stores.redis, stores.prefix, feed.name, true);
        process.stdout.write(
          json
            ? `${JSON.stringify(result)}\n`
            : `${feed.name}: ${result.posts} posts indexed from ${result.pages} page${result.pages === 1 ? '' : 's'}${result.morePages ? MORE_PAGES : ''}\n`,
        );
      } catch (error) {
        bar?.stop();
        throw error;
      }
    }
    return 0;
  });
}
