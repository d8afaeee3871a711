import type { Config } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import {
  closeQueues,
  listFailedDeliveries,
  openDeliverQueues,
  retryFailedDeliveries,
} from '../delivery/failed.js';
import { reportFailure } from '../cli-errors.js';
import { withStores } from '../stores.js';

/** `psf-bot deliveries failed|retry [ID…]`: lists deliveries that exhausted their retries, or re-drives them. */
export async function runDeliveries(
  config: Config,
  action: 'failed' | 'retry',
  ids: string[],
  json: boolean,
  logger: Logger,
): Promise<number> {
  return withStores(config, logger, async (stores) => {
    const queues = openDeliverQueues({ connection: stores.target.connection, prefix: stores.prefix });
    try {
      if (action === 'failed') {
        const failed = await listFailedDeliveries(queues, stores.posts);
        if (json) {
          process.stdout.write(`${JSON.stringify(failed, null, 2)}\n`);
        } else if (failed.length === 0) {
          process.stdout.write('no failed deliveries\n');
        } else {
          for (const item of failed) {
            process.stdout.write(
              `${item.jobId}  ${item.platform} ${item.workspaceId}/${item.channelId}  "${item.title ?? item.postId}"  ` +
                `${item.unverified ? 'UNVERIFIED (may be posted already; retry sends it), ' : ''}` +
                `${item.attemptsMade} attempts, failed ${item.failedAt ?? '?'}: ${item.lastError}\n`,
            );
          }
        }
        return 0;
      }
      const result = await retryFailedDeliveries(queues, ids.length > 0 ? ids : undefined);
      if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else {
        process.stdout.write(`re-driven: ${result.retried.length}\n`);
        for (const id of result.notFound) process.stdout.write(`not a failed delivery: ${id}\n`);
      }
      if (result.notFound.length === 0) return 0;
      const n = result.notFound.length;
      reportFailure(
        `${n} id${n === 1 ? ' is' : 's are'} not a failed delivery: ${result.notFound.join(', ')}`,
      );
      return 1;
    } finally {
      await closeQueues(queues);
    }
  });
}
