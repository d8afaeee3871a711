import { readFile } from 'node:fs/promises';
import type { Config } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import {
  BackupError,
  exportSubscriptions,
  importSubscriptions,
  parseBackup,
} from '../../src/subscriptions/backup.js';
import { UsageError, WorkError } from '../cli-errors.js';
import { withStores } from '../stores.js';

/** `psf-bot subscriptions export`: every chat-made subscription as JSON on stdout. */
export async function runSubscriptionsExport(config: Config, logger: Logger): Promise<number> {
  return withStores(config, logger, async (stores) => {
    const backup = await exportSubscriptions(stores.subscriptions, new Date(), stores.follows);
    process.stdout.write(`${JSON.stringify(backup, null, 2)}\n`);
    return 0;
  });
}

/** Reads the backup from a file, or from stdin when the path is `-`. */
async function readBackupText(path: string): Promise<string> {
  if (path !== '-') {
    return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(
        `cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
      );
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `psf-bot subscriptions import FILE`: restores a backup; refuses, importing nothing, if any channel is taken. */
export async function runSubscriptionsImport(config: Config, path: string, logger: Logger): Promise<number> {
  let backup;
  try {
    backup = parseBackup(await readBackupText(path));
  } catch (error) {
    if (error instanceof BackupError) throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
  return withStores(config, logger, async (stores) => {
    const result = await importSubscriptions(stores.subscriptions, backup, stores.follows);
    if ('duplicates' in result) {
      const shown = result.duplicates.slice(0, 5).join(', ');
      const more = result.duplicates.length > 5 ? ` and ${result.duplicates.length - 5} more` : '';
      throw new WorkError(
        `import refused, nothing imported: ${result.duplicates.length} channel(s) already subscribed or followed, listed twice, or following a feed they subscribe to: ${shown}${more}`,
      );
    }
    const follows =
      result.follows > 0 ? ` and ${result.follows} follow${result.follows === 1 ? '' : 's'} of a hub` : '';
    process.stdout.write(
      `imported ${result.imported} subscription${result.imported === 1 ? '' : 's'}${follows}\n`,
    );
    return 0;
  });
}
