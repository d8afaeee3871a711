import type { ChannelPacer } from '../../../src/delivery/channel-pacer.js';
import {
  DEFAULT_GUARD_POLICY,
  guardScope,
  type GuardPolicy,
  type GuardTrip,
  type GuardVerdict,
} from '../../../src/delivery/disable-guard.js';
import { channelField } from '../../../src/delivery/ledger.js';
import type { TenantHolds } from '../../../src/delivery/tenant-holds.js';
import type { Platform } from '../../../src/posts/post.js';
import type { ChannelRef } from '../../../src/subscriptions/subscription-store.js';

// The Redis-scripted safety parts, in memory on the virtual clock (their Lua reads Redis's own clock and TTLs,
// which a virtual clock cannot move): tenant holds, per-channel pacing, and the mass-disable guard, each
// following its Redis script step for step. The guard also records how long each scope stayed tripped.

export class MemoryTenantHolds implements TenantHolds {
  private readonly until = new Map<string, number>();

  async hold(tenant: string, ms: number): Promise<void> {
    if (ms <= 0) return;
    const at = Date.now() + Math.ceil(ms);
    if ((this.until.get(tenant) ?? 0) < at) this.until.set(tenant, at);
  }

  async remaining(tenant: string): Promise<number> {
    return Math.max(0, (this.until.get(tenant) ?? 0) - Date.now());
  }
}

/** `RedisChannelPacer`'s RESERVE script. */
export class MemoryChannelPacer implements ChannelPacer {
  private readonly next = new Map<string, number>();
  private readonly tickets = new Map<string, number>();
  private readonly last = new Map<string, number>();

  async reserve(channel: ChannelRef, intervalMs: number, ticket: string): Promise<number> {
    if (intervalMs <= 0) return 0;
    const key = channelField(channel);
    const now = Date.now();
    const last = this.last.get(key);
    const earliest = last !== undefined && now - last < intervalMs * 2 ? last + intervalMs : now;
    const held = this.tickets.get(`${key}\u0000${ticket}`);
    let slot: number;
    if (held !== undefined) slot = Math.max(held, earliest);
    else {
      slot = Math.max(now, earliest, this.next.get(key) ?? 0);
      this.next.set(key, slot + intervalMs);
    }
    if (slot > now) {
      this.tickets.set(`${key}\u0000${ticket}`, slot);
      return slot - now;
    }
    this.tickets.delete(`${key}\u0000${ticket}`);
    this.last.set(key, now);
    return 0;
  }
}

interface Stamp {
  at: number;
  member: string;
}

/** `RedisDisableGuard` with its LOST script. */
export class MemoryDisableGuard {
  private readonly sends = new Map<string, Stamp[]>();
  private readonly lostAnswers = new Map<string, Stamp[]>();
  private readonly trippedScopes = new Map<string, GuardTrip>();
  private readonly redrive = new Map<Platform, Set<string>>();
  /** Every trip of every scope: when it began and ended (null: still tripped). */
  readonly periods: { scope: string; from: number; to: number | null }[] = [];

  constructor(private readonly policy: GuardPolicy = DEFAULT_GUARD_POLICY) {}

  private window(map: Map<string, Stamp[]>, scope: string): Stamp[] {
    const from = Date.now() - this.policy.windowMs;
    const kept = (map.get(scope) ?? []).filter((stamp) => stamp.at > from);
    map.set(scope, kept);
    return kept;
  }

  async sent(scope: string, id: string): Promise<void> {
    this.window(this.sends, scope).push({ at: Date.now(), member: `${Date.now()}:${id}` });
  }

  async lost(channel: ChannelRef, reason: string, jobId: string): Promise<GuardVerdict> {
    const scope = guardScope(channel);
    const tripped = this.trippedScopes.get(scope);
    if (tripped) return { action: 'hold', trip: tripped, justTripped: false, reenable: [] };
    const sends = this.window(this.sends, scope).length;
    const earlier = this.window(this.lostAnswers, scope);
    const lost = earlier.length + 1;
    if (lost >= this.policy.min && lost > this.policy.share * Math.max(sends, 1)) {
      const trip: GuardTrip = { reason, at: new Date().toISOString(), workspaceId: channel.workspaceId };
      this.trippedScopes.set(scope, trip);
      this.periods.push({ scope, from: Date.now(), to: null });
      const redrive = this.redrive.get(channel.platform) ?? new Set<string>();
      this.redrive.set(channel.platform, redrive);
      earlier.forEach((stamp) => redrive.add(stamp.member));
      this.sends.delete(scope);
      this.lostAnswers.delete(scope);
      return {
        action: 'hold',
        trip,
        justTripped: true,
        reenable: earlier.map((stamp) => parseMember(stamp.member).channel),
      };
    }
    earlier.push({ at: Date.now(), member: [Date.now(), jobId, channelField(channel)].join('\u0001') });
    return { action: 'disable' };
  }

  async tripped(scope: string): Promise<GuardTrip | null> {
    return this.trippedScopes.get(scope) ?? null;
  }

  async trips(platform: Platform): Promise<{ scope: string; trip: GuardTrip }[]> {
    return [...this.trippedScopes]
      .filter(([scope]) => scope.split(':')[0] === platform)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([scope, trip]) => ({ scope, trip }));
  }

  async clear(scope: string): Promise<void> {
    if (this.trippedScopes.delete(scope)) {
      const open = this.periods.find((period) => period.scope === scope && period.to === null);
      if (open) open.to = Date.now();
    }
  }

  async redrives(platform: Platform): Promise<{ member: string; jobId: string; channel: ChannelRef }[]> {
    return [...(this.redrive.get(platform) ?? [])].map((member) => ({ member, ...parseMember(member) }));
  }

  async redriven(platform: Platform, member: string): Promise<void> {
    this.redrive.get(platform)?.delete(member);
  }
}

function parseMember(member: string): { jobId: string; channel: ChannelRef } {
  const [, jobId, field] = member.split('\u0001');
  const [platform, workspaceId, channelId] = JSON.parse(field!) as string[];
  return {
    jobId: jobId!,
    channel: { platform: platform as Platform, workspaceId: workspaceId!, channelId: channelId! },
  };
}
