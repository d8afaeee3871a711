import { createHash } from 'node:crypto';

/** A short, stable hash of a post's (feed, id): safe in Redis keys, job ids (no `:`) and Discord nonces. */
export function postKey(feed: string, id: string): string {
  return createHash('sha256').update(`${feed}\u0000${id}`).digest('base64url').slice(0, 22);
}
