import type { CommandContext, DeliveryNote, QueueCounts, Tenant } from './types.js';

/**
 * Who a reply is for, which decides what it may show. The bot is shared by many servers and workspaces: a
 * member sees the public parts (feeds, polls, posts indexed, queue health as one word) and their own server's or
 * workspace's subscriptions, notes and holds; a DM sees only the public parts; the operator (the console: `psf-bot
 * status`, `psf-bot ask`) sees everything.
 */
export type Viewer = { kind: 'operator' } | { kind: 'public' } | ({ kind: 'tenant' } & Tenant);

/** The viewer of a command's context: the console is the operator's terminal. */
export function viewerOf(context: CommandContext): Viewer {
  if (context.platform === 'console') return { kind: 'operator' };
  if (context.direct) return { kind: 'public' };
  return { kind: 'tenant', platform: context.platform, workspaceId: context.workspaceId };
}

/** Whether `tenant` is the viewer's own server or workspace (the operator owns every one). */
export function owns(viewer: Viewer, tenant: Tenant): boolean {
  if (viewer.kind === 'operator') return true;
  return (
    viewer.kind === 'tenant' &&
    viewer.platform === tenant.platform &&
    viewer.workspaceId === tenant.workspaceId
  );
}

/**
 * The delivery notes a viewer may read: their own in full, a platform-wide one's shared words, nothing else;
 * notes on how the bot is set up only the operator.
 */
export function visibleNotes(viewer: Viewer, notes: readonly DeliveryNote[]): string[] {
  return notes.flatMap((note) => {
    if (note.operator) return viewer.kind === 'operator' ? [note.text] : [];
    if (owns(viewer, note.tenant)) return [note.text];
    if (viewer.kind === 'tenant' && note.shared && viewer.platform === note.tenant.platform)
      return [note.shared];
    return [];
  });
}

/** Queue health in one word, all a tenant may learn of the shared queues (never other tenants' counts). */
export type HealthWord = 'healthy' | 'delayed' | 'backlog';

/**
 * More announcements waiting than this is a backlog: one post to a few hundred channels queues that many sends,
 * which drain within a minute or two at the platforms' rate limits; more than this stays waiting a while.
 */
export const BACKLOG_WAITING = 500;

/** `backlog` when many sends wait, `delayed` when some wait out a rate limit or a retry, else `healthy`. */
export function healthWord(queues: readonly QueueCounts[]): HealthWord {
  const waiting = queues.reduce((sum, queue) => sum + queue.waiting, 0);
  if (waiting > BACKLOG_WAITING) return 'backlog';
  return queues.some((queue) => queue.delayed > 0) ? 'delayed' : 'healthy';
}

const HEALTH_MEANING: Record<HealthWord, string> = {
  healthy: 'announcements go out as they come',
  delayed: 'some announcements are waiting out a rate limit or a retry',
  backlog: 'many announcements are waiting to be sent; they go out in order',
};

/** `Deliveries: healthy (announcements go out as they come).` */
export function healthLine(word: HealthWord): string {
  return `Deliveries: ${word} (${HEALTH_MEANING[word]}).`;
}
