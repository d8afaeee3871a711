import type { IncomingMessage } from 'node:http';

/** What a limited fake saw since its last reset. */
export interface PlatformStats {
  requests: number;
  /** Messages created (an `enforce_nonce` replay creates none). */
  accepted: number;
  /** Messages beyond the first with the same content in the same channel. */
  duplicates: number;
  /** 429s answered, of every scope. */
  rateLimited: number;
  /** Discord: 429s of the global (per-token) limit. */
  globalRateLimited: number;
  /** Discord: sends answered with the earlier message because the nonce was seen. */
  nonceReplays: number;
  /** When each message was created (ms since the epoch, sub-ms precision), in order. */
  acceptedAt: number[];
  /** Discord: messages published in an announcement channel (crossposts accepted). */
  crossposts?: number;
  /** Discord: copies Discord itself made in the channels following a hub (no request of the bot each). */
  followerCopies?: number;
}

/** Counts messages and keeps the keys that make a repeat a duplicate. */
export class StatsRecorder {
  private seen = new Set<string>();
  stats: PlatformStats = StatsRecorder.empty();

  static empty(): PlatformStats {
    return {
      requests: 0,
      accepted: 0,
      duplicates: 0,
      rateLimited: 0,
      globalRateLimited: 0,
      nonceReplays: 0,
      acceptedAt: [],
    };
  }

  /** Records a created message; `key` names its content within the channel. */
  accept(channel: string, key: string, at: number): void {
    const id = `${channel}\u0000${key}`;
    if (this.seen.has(id)) this.stats.duplicates += 1;
    this.seen.add(id);
    this.stats.accepted += 1;
    this.stats.acceptedAt.push(at);
  }

  reset(): void {
    this.seen = new Set();
    this.stats = StatsRecorder.empty();
  }
}

/** Reads a request body as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
