/** A usage mistake on the command line: exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The work failed (feed, Redis, platform): exit status 1 with one plain line. */
export class WorkError extends Error {
  override readonly name = 'WorkError';
}
