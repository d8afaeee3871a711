import type { ChannelPacer } from '../../../src/delivery/channel-pacer.js';
import { channelField } from '../../../src/delivery/ledger.js';
import type { ChannelRef } from '../../../src/subscriptions/subscription-store.js';

// Slack's pacing on the virtual clock: `RedisWorkspaceBudgetPacer`'s RESERVE script (src/delivery/
// workspace-budget.ts) step for step, its keys' TTLs included, since its Lua reads Redis's own clock.

const WINDOW_MARGIN_MS = 20;
const WINDOW_MS = 1_000;

/** A value that expires at an absolute virtual time (a key with `PX`). */
interface Expiring {
  value: number;
  expiresAt: number;
}

/** Each channel's interval and each workspace's budget of `workspacePerSecond`, as the Redis script keeps them. */
export class MemoryWorkspaceBudgetPacer implements ChannelPacer {
  private readonly spacingMs: number;
  private readonly next = new Map<string, Expiring>();
  private readonly last = new Map<string, Expiring>();
  private readonly tickets = new Map<string, number>();
  private readonly workspaceNext = new Map<string, Expiring>();
  /** Workspace → ticket → when it was sent (a sorted set by time). */
  private readonly sent = new Map<string, Map<string, number>>();
  /** Reservations the workspace's budget put later than the channel's own interval would have (a figure). */
  workspaceWaits = 0;

  constructor(private readonly workspacePerSecond: number) {
    this.spacingMs = Math.max(1, Math.ceil(WINDOW_MS / workspacePerSecond));
  }

  private read(map: Map<string, Expiring>, key: string, now: number): number | null {
    const found = map.get(key);
    if (!found || found.expiresAt <= now) return null;
    return found.value;
  }

  async reserve(channel: ChannelRef, intervalMs: number, ticket: string): Promise<number> {
    const now = Date.now();
    const interval = Math.max(1, Math.ceil(intervalMs));
    const budget = Math.max(1, Math.floor(this.workspacePerSecond));
    const window = WINDOW_MS + WINDOW_MARGIN_MS;
    const key = channelField(channel);
    const workspace = `${channel.platform}:${channel.workspaceId}`;
    const last = this.read(this.last, key, now);
    let earliest = last !== null ? last + interval : now;
    const channelEarliest = Math.max(earliest, this.read(this.next, key, now) ?? 0);
    const sent = this.sent.get(workspace) ?? new Map<string, number>();
    this.sent.set(workspace, sent);
    for (const [member, at] of sent) if (at <= now - window) sent.delete(member);
    const times = [...sent.values()].sort((a, b) => a - b);
    if (times.length >= budget) earliest = Math.max(earliest, times[times.length - budget]! + window);
    const ticketKey = `${key}\u0000${ticket}`;
    const held = this.tickets.get(ticketKey);
    let slot: number;
    if (held !== undefined) slot = Math.max(held, earliest);
    else {
      slot = Math.max(
        now,
        earliest,
        this.read(this.next, key, now) ?? 0,
        this.read(this.workspaceNext, workspace, now) ?? 0,
      );
      this.next.set(key, { value: slot + interval, expiresAt: slot + interval });
      this.workspaceNext.set(workspace, { value: slot + this.spacingMs, expiresAt: slot + this.spacingMs });
    }
    if (slot > now) {
      if (held === undefined && slot > Math.max(now, channelEarliest)) this.workspaceWaits += 1;
      this.tickets.set(ticketKey, slot);
      return slot - now;
    }
    if (held !== undefined) this.tickets.delete(ticketKey);
    this.last.set(key, { value: now, expiresAt: now + interval * 2 });
    sent.set(ticket, now);
    return 0;
  }
}
