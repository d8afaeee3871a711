/** A usage mistake on the command line: exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The work failed (feed, Redis, platform): exit status 1 with one plain line. */
export class WorkError extends Error {
  override readonly name = 'WorkError';
}

/** docs/cli.md: a failure is one plain line on stderr, `psf-bot: what and where`. */
export function reportFailure(message: string): void {
  process.stderr.write(`psf-bot: ${message.split('\n')[0]}\n`);
}
