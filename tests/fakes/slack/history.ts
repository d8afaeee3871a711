import type { FakeMessage } from './fake-types.js';

type Json = Record<string, unknown>;

/**
 * Slack's history limits for commercially distributed apps outside the Marketplace (since 2025-05-29):
 * `conversations.history` at most `perWindow` calls per `windowMs` per workspace, at most `pageSize`
 * messages a page (a larger `limit` is capped). Over the limit: HTTP 429 with `Retry-After` (whole
 * seconds) and `ratelimited` (PLATFORM-NOTES §9.1; https://docs.slack.dev/apis/web-api/rate-limits). The
 * window is configurable so tests need not wait a real minute.
 */
export interface HistoryLimits {
  windowMs: number;
  perWindow: number;
  pageSize: number;
}

/** The Marketplace-less limits with a real minute. */
export const MARKETPLACE_LESS: HistoryLimits = { windowMs: 60_000, perWindow: 1, pageSize: 15 };

/** Slack's `limit` default and maximum for `conversations.history` without the tight limits. */
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 999;

/** Seconds of a `ts` (`"1733550000.000012"`) as a number, for comparisons. */
function tsNumber(ts: string): number {
  return Number(ts);
}

/**
 * `conversations.history` as Slack pages it: newest first, between `oldest` and `latest` (each excluded
 * unless `inclusive`), `limit` per page, an opaque `next_cursor` while `has_more`. Metadata only with
 * `include_all_metadata`. https://docs.slack.dev/reference/methods/conversations.history
 */
export function historyPage(
  messages: readonly FakeMessage[],
  params: Record<string, string>,
  limits: HistoryLimits | null,
): Json {
  const inclusive = params.inclusive === 'true' || params.inclusive === '1';
  const oldest = params.oldest ? tsNumber(params.oldest) : -Infinity;
  const latest = params.latest ? tsNumber(params.latest) : Infinity;
  const asked = Number(params.limit ?? DEFAULT_LIMIT) || DEFAULT_LIMIT;
  const limit = Math.min(asked, limits?.pageSize ?? MAX_LIMIT);
  const withMetadata = params.include_all_metadata === 'true';
  const inWindow = messages
    .filter((message) => message.channel === params.channel)
    .filter((message) => {
      const ts = tsNumber(message.ts);
      return inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest;
    })
    .reverse();
  const offset = params.cursor ? Number(Buffer.from(params.cursor, 'base64').toString('utf8').slice(5)) : 0;
  const page = inWindow.slice(offset, offset + limit);
  const hasMore = offset + limit < inWindow.length;
  return {
    ok: true,
    messages: page.map((message) => ({
      type: 'message',
      ts: message.ts,
      text: message.text,
      ...(message.user ? { user: message.user } : { bot_id: message.botId ?? 'B0FAKE' }),
      ...(withMetadata && message.params.metadata
        ? { metadata: JSON.parse(message.params.metadata) as unknown }
        : {}),
    })),
    has_more: hasMore,
    ...(hasMore
      ? { response_metadata: { next_cursor: Buffer.from(`next:${offset + limit}`).toString('base64') } }
      : {}),
  };
}

/** Counts each workspace's history reads in a sliding window; says how long a call over the limit waits. */
export class HistoryBudget {
  private readonly reads = new Map<string, number[]>();

  constructor(private readonly limits: HistoryLimits) {}

  /** Null when the workspace may read now (the read is counted), else the seconds of its `Retry-After`. */
  take(workspace: string, now = Date.now()): number | null {
    const recent = (this.reads.get(workspace) ?? []).filter((at) => now - at < this.limits.windowMs);
    if (recent.length >= this.limits.perWindow) {
      const waitMs = this.limits.windowMs - (now - recent[0]!);
      this.reads.set(workspace, recent);
      return Math.max(1, Math.ceil(waitMs / 1000));
    }
    this.reads.set(workspace, [...recent, now]);
    return null;
  }
}
