import { describeDigest } from '../digests/period.js';
import { feedLabel } from '../feeds/catalogue.js';
import type { FeedState, HostHold } from '../feeds/feed-state.js';
import { plural, type CommandDeps } from './command-deps.js';
import { healthLine, healthWord, owns, viewerOf, visibleNotes, type Viewer } from './tenant-view.js';
import type { CommandContext, PollSchedule, Reply } from './types.js';

/** What `status` could learn of the poller: nothing asked (no port), unreadable, or its state in Redis. */
type PollerView =
  | { kind: 'assumed' }
  | { kind: 'unreadable' }
  | { kind: 'known'; workers: number | null; schedules: PollSchedule[] };

/**
 * `status`: the poller, each feed's polling and indexing, then delivery. The operator sees every queue's counts
 * and every note; a member sees queue health in one word and only their own server's or workspace's
 * subscriptions, notes and holds; a DM sees only the public parts (see `tenant-view.ts`).
 */
export async function status(deps: CommandDeps, context: CommandContext): Promise<Reply> {
  const now = (deps.now ?? (() => new Date()))();
  const viewer = viewerOf(context);
  const [poller, queues] = await Promise.all([pollerView(deps), deliveryLines(deps, viewer)]);
  const scheduled = poller.kind === 'known' ? poller.schedules.map((schedule) => schedule.feed) : [];
  const names = [...new Set([...deps.feeds.map((feed) => feed.name), ...scheduled])];
  const [states, counts] = await Promise.all([
    deps.feedStates.all(names),
    Promise.all(names.map((name) => deps.posts.count(name))),
  ]);
  const lines = poller.kind === 'assumed' ? [] : [pollerLine(poller)];
  lines.push(
    ...names.map((name, i) => {
      const state = states.find((candidate) => candidate.feed === name);
      const next = nextPoll(state, poller, name, deps.pollIntervalMs, now);
      const feed = deps.feeds.find((candidate) => candidate.name === name) ?? { name };
      return feedLine(feedLabel(feed), state, counts[i] ?? 0, next, now, intervalOf(poller, name, deps));
    }),
  );
  if (names.length === 0) lines.push('No feed is configured.');
  lines.push(`Search index: ${plural(deps.index.size, 'post')}.`, ...queues);
  lines.push(...(await ownLines(deps, viewer, now)), ...(await noteLines(deps, viewer)));
  return { kind: 'text', text: lines.join('\n') };
}

async function pollerView(deps: CommandDeps): Promise<PollerView> {
  if (!deps.poller) return { kind: 'assumed' };
  try {
    return { kind: 'known', ...(await deps.poller.state()) };
  } catch (error) {
    deps.logger?.warn({ err: error }, 'status could not read the poll schedule');
    return { kind: 'unreadable' };
  }
}

function pollerLine(poller: Exclude<PollerView, { kind: 'assumed' }>): string {
  if (poller.kind === 'unreadable') return 'Poller: its schedule could not be read.';
  if (poller.workers === 0) {
    return 'No poller is running: no feed is being polled. Start one with `psf-bot start` (role all or poller).';
  }
  if (poller.workers === null) return 'Poller: Redis does not say whether one is running.';
  return `Poller: running (${plural(poller.workers, 'worker')}).`;
}

/** A member's own server or workspace: how many of its channels are subscribed, and how many are disabled. */
async function ownLines(deps: CommandDeps, viewer: Viewer, now: Date): Promise<string[]> {
  if (viewer.kind !== 'tenant') return [];
  const subs = await deps.subscriptions.listWorkspace(viewer.platform, viewer.workspaceId);
  const place = viewer.platform === 'discord' ? 'This server' : 'This workspace';
  if (subs.length === 0) return [`${place}: no channel gets announcements.`];
  const disabled = subs.filter((sub) => sub.disabledReason).length;
  const off = disabled > 0 ? `, ${disabled} of them disabled` : '';
  const lines = [
    `${place}: ${plural(subs.length, 'subscribed channel')}${off} (\`subscriptions\` lists them).`,
  ];
  // When its digests go out: the one thing a digest channel waits for.
  if (deps.digestSchedule) {
    for (const cadence of ['daily', 'weekly'] as const) {
      const count = subs.filter((sub) => !sub.disabledReason && sub.options.digest === cadence).length;
      if (count > 0)
        lines.push(
          `  ${plural(count, 'channel')} on the ${describeDigest(cadence, deps.digestSchedule, now)}.`,
        );
    }
  }
  return lines;
}

/** Channel notes (a forum that requires a tag no post matched) the viewer owns: what a manager should look at. */
async function noteLines(deps: CommandDeps, viewer: Viewer): Promise<string[]> {
  const all = (await deps.notes?.all().catch(() => [])) ?? [];
  const notes = all.filter(({ channel }) => owns(viewer, channel));
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
  next: string,
  now: Date,
  intervalMs: number,
): string {
  const success = state?.lastSuccessAt
    ? `last successful poll ${when(state.lastSuccessAt, now)}`
    : 'never polled successfully';
  const parts = [`Feed ${name}: ${plural(posts, 'post')} indexed; ${success}; next poll ${next}.`];
  if (state && state.consecutiveFailures > 0) {
    const error = state.lastError ? `: ${state.lastError}` : '';
    parts.push(`  ${plural(state.consecutiveFailures, 'consecutive failure')}, last error${error}`);
  }
  const hold = state?.hostHold;
  if (hold && Date.parse(hold.until) > now.getTime()) parts.push(`  ${holdLine(hold, intervalMs)}`);
  return parts.join('\n');
}

/** Why the feed is polled less often than configured: the host asked (`Cache-Control: max-age`, `Retry-After`). */
function holdLine(hold: HostHold, intervalMs: number): string {
  if (hold.why === 'retry-after') {
    return `The feed's host asked to wait ${duration(hold.ms)} (Retry-After): no fetch before then.`;
  }
  const effective = Math.max(1, Math.ceil(hold.ms / intervalMs)) * intervalMs;
  return effective > intervalMs
    ? `Polled every ${duration(effective)}, not every ${duration(intervalMs)}: the feed's host says its answer stays fresh for ${duration(hold.ms)} (Cache-Control max-age).`
    : `The feed's host says its answer stays fresh for ${duration(hold.ms)} (Cache-Control max-age).`;
}

/** The interval a feed is scheduled at: the running poller's when known, else this process's setting. */
function intervalOf(poller: PollerView, feed: string, deps: CommandDeps): number {
  const schedule = poller.kind === 'known' ? poller.schedules.find((s) => s.feed === feed) : undefined;
  return schedule?.everyMs ?? deps.pollIntervalMs;
}

/**
 * From the running poller's schedule when it is known (backoff may hold a failing feed back longer), else
 * one interval of this process's setting after the last attempt.
 */
function nextPoll(
  state: FeedState | undefined,
  poller: PollerView,
  feed: string,
  intervalMs: number,
  now: Date,
): string {
  // The later of the feed's backoff and its host's hold (max-age, Retry-After).
  const waits = [state?.nextAttemptAt, state?.hostHold?.until].flatMap((at) => (at ? [Date.parse(at)] : []));
  const backoff = waits.length > 0 ? Math.max(...waits) : Number.NaN;
  if (poller.kind === 'known') {
    if (poller.workers === 0) return 'when a poller starts';
    const schedule = poller.schedules.find((candidate) => candidate.feed === feed);
    if (!schedule) return 'never: the running poller has no schedule for this feed';
    const every = schedule.everyMs ? ` (every ${duration(schedule.everyMs)})` : '';
    // The later of the scheduler's next tick and the end of the backoff, whichever of them is known.
    const known = [schedule.nextAt ? Date.parse(schedule.nextAt) : Number.NaN, backoff].filter(
      Number.isFinite,
    );
    const at = known.length > 0 ? Math.max(...known) : Number.NaN;
    return `${relative(at, now)}${every}`;
  }
  const at = Number.isFinite(backoff)
    ? backoff
    : state?.lastAttemptAt
      ? Date.parse(state.lastAttemptAt) + intervalMs
      : Number.NaN;
  if (!Number.isFinite(at)) return 'when the poller starts';
  return relative(at, now);
}

function relative(at: number, now: Date): string {
  if (!Number.isFinite(at)) return 'not known';
  return at <= now.getTime() ? 'due now' : `in ${duration(at - now.getTime())}`;
}

/** Delivery notes the viewer may read, then the queues: every count for the operator, one word for the rest. */
async function deliveryLines(deps: CommandDeps, viewer: Viewer): Promise<string[]> {
  const asking = viewer.kind === 'tenant' ? viewer : undefined;
  const notes = await (deps.queues.notes?.(asking) ?? Promise.resolve([])).then(
    (all) => visibleNotes(viewer, all),
    () => ['Delivery notes: could not be read.'],
  );
  try {
    if (viewer.kind === 'operator') return [...notes, ...queueLines(await deps.queues.counts())];
    const counts = deps.queues.deliveryCounts
      ? await deps.queues.deliveryCounts()
      : Object.values(await deps.queues.counts());
    return [...notes, healthLine(healthWord(counts))];
  } catch (error) {
    deps.logger?.warn({ err: error }, 'status could not read the queues');
    return [
      ...notes,
      viewer.kind === 'operator'
        ? 'Queues: could not be read.'
        : 'Deliveries: not known (the queues could not be read).',
    ];
  }
}

function queueLines(counts: Awaited<ReturnType<CommandDeps['queues']['counts']>>): string[] {
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
