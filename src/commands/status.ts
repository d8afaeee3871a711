import type { FeedState } from '../feeds/feed-state.js';
import { plural, type CommandDeps } from './command-deps.js';
import type { Reply } from './types.js';

/** `status`: each feed's polling and indexing, then the queues. */
export async function status(deps: CommandDeps): Promise<Reply> {
  const now = (deps.now ?? (() => new Date()))();
  const names = deps.feeds.map((feed) => feed.name);
  const [states, counts, queues] = await Promise.all([
    deps.feedStates.all(names),
    Promise.all(names.map((name) => deps.posts.count(name))),
    queueLines(deps),
  ]);
  const lines = names.map((name, i) =>
    feedLine(
      name,
      states.find((state) => state.feed === name),
      counts[i] ?? 0,
      deps.pollIntervalMs,
      now,
    ),
  );
  if (lines.length === 0) lines.push('No feed is configured.');
  lines.push(`Search index: ${plural(deps.index.size, 'post')}.`, ...queues, ...(await noteLines(deps)));
  return { kind: 'text', text: lines.join('\n') };
}

/** Channel notes (a forum that requires a tag no post matched): what an operator should look at. */
async function noteLines(deps: CommandDeps): Promise<string[]> {
  const notes = (await deps.notes?.all().catch(() => [])) ?? [];
  if (notes.length === 0) return [];
  return [
    `Channel notes (${notes.length}):`,
    ...notes
      .slice(0, 10)
      .map(
        ({ channel, note }) =>
          `  ${channel.platform} channel ${channel.channelId} (${note.at}): ${note.text}`,
      ),
  ];
}

function feedLine(
  name: string,
  state: FeedState | undefined,
  posts: number,
  intervalMs: number,
  now: Date,
): string {
  const success = state?.lastSuccessAt
    ? `last successful poll ${when(state.lastSuccessAt, now)}`
    : 'never polled successfully';
  const parts = [
    `Feed ${name}: ${plural(posts, 'post')} indexed; ${success}; next poll ${nextPoll(state, intervalMs, now)}.`,
  ];
  if (state && state.consecutiveFailures > 0) {
    const error = state.lastError ? `: ${state.lastError}` : '';
    parts.push(`  ${plural(state.consecutiveFailures, 'consecutive failure')}, last error${error}`);
  }
  return parts.join('\n');
}

/** Backoff decides when it is set; otherwise one interval after the last attempt. */
function nextPoll(state: FeedState | undefined, intervalMs: number, now: Date): string {
  const at = state?.nextAttemptAt
    ? Date.parse(state.nextAttemptAt)
    : state?.lastAttemptAt
      ? Date.parse(state.lastAttemptAt) + intervalMs
      : Number.NaN;
  if (!Number.isFinite(at)) return 'when the poller starts';
  return at <= now.getTime() ? 'due now' : `in ${duration(at - now.getTime())}`;
}

async function queueLines(deps: CommandDeps): Promise<string[]> {
  let counts: Awaited<ReturnType<CommandDeps['queues']['counts']>>;
  try {
    counts = await deps.queues.counts();
  } catch (error) {
    deps.logger?.warn({ err: error }, 'status could not read the queues');
    return ['Queues: could not be read.'];
  }
  const entries = Object.entries(counts);
  if (entries.length === 0) return ['Queues: none.'];
  return [
    'Queues:',
    ...entries.map(
      ([name, c]) =>
        `  ${name}: ${c.waiting} waiting, ${c.active} active, ${c.delayed} delayed, ${c.failed} failed`,
    ),
  ];
}

function when(iso: string, now: Date): string {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return iso;
  const ago = now.getTime() - at;
  return ago < 0 ? `at ${iso}` : `${duration(ago)} ago (${new Date(at).toISOString()})`;
}

/** `45 seconds`, `3 minutes`, `2 hours`, `4 days`: one unit, rounded down, enough for a glance. */
export function duration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return plural(Math.max(seconds, 0), 'second');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}
