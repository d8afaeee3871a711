import type { ChannelPacer } from '../../../src/delivery/channel-pacer.js';
import {
  CONFIRMED_REACHABLE_MS,
  DEFAULT_GUARD_POLICY,
  guardScope,
  serverPrefix,
  type GuardAdmission,
  type GuardJudgement,
  type GuardPolicy,
  type GuardTrip,
  type GuardVerdict,
  type Suspect,
} from '../../../src/delivery/disable-guard.js';
import { channelField } from '../../../src/delivery/ledger.js';
import type { TenantHolds } from '../../../src/delivery/tenant-holds.js';
import type { Platform } from '../../../src/posts/post.js';
import type { ChannelRef } from '../../../src/subscriptions/subscription-store.js';

// The Redis-scripted safety parts, in memory on the virtual clock (their Lua reads Redis's own clock and TTLs,
// which a virtual clock cannot move): tenant holds, per-channel pacing, and the mass-disable guard, each
// following its Redis script step for step. The guard also records how long each scope stayed tripped.
// Its suspects outlive a trip: held channel by channel until settled, as in Redis.

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

const SEP = '\u0001';

/** `RedisDisableGuard` with its LOST script: suspects, confirmed-reachable channels and skipped jobs included. */
export class MemoryDisableGuard {
  private readonly sends = new Map<string, Stamp[]>();
  private readonly lostAnswers = new Map<string, Stamp[]>();
  private readonly skips = new Map<string, Stamp[]>();
  private readonly trippedScopes = new Map<string, GuardTrip>();
  private readonly suspected = new Map<string, Map<string, string>>();
  private readonly reachable = new Map<string, Map<string, number>>();
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

  private suspectsOf(scope: string): Map<string, string> {
    const found = this.suspected.get(scope) ?? new Map<string, string>();
    this.suspected.set(scope, found);
    return found;
  }

  private redrivesOf(platform: Platform): Set<string> {
    const found = this.redrive.get(platform) ?? new Set<string>();
    this.redrive.set(platform, found);
    return found;
  }

  async sent(scope: string, id: string): Promise<void> {
    this.window(this.sends, scope).push({ at: Date.now(), member: `${Date.now()}:${id}` });
  }

  async lost(channel: ChannelRef, reason: string, jobId: string, code = reason): Promise<GuardVerdict> {
    const scope = guardScope(channel);
    const field = channelField(channel);
    const tripped = this.trippedScopes.get(scope);
    if (tripped) {
      this.suspectsOf(scope).set(field, code);
      return { action: 'hold', trip: tripped, justTripped: false, earlier: [] };
    }
    const held = this.suspectsOf(scope);
    if (held.has(field)) {
      held.set(field, code);
      return { action: 'held' };
    }
    const confirmedAt = this.reachable.get(scope)?.get(field);
    if (confirmedAt !== undefined && confirmedAt >= Date.now() - CONFIRMED_REACHABLE_MS)
      return { action: 'disable' };
    const server = serverPrefix(channel);
    if ([...held.keys()].some((suspect) => suspect.startsWith(server))) {
      held.set(field, code);
      return { action: 'held' };
    }
    const sends = this.window(this.sends, scope).length;
    const earlier = this.window(this.lostAnswers, scope);
    const skipped = this.window(this.skips, scope);
    const lost = earlier.length + 1;
    if (lost >= this.policy.min && lost > this.policy.share * Math.max(sends, 1)) {
      const trip: GuardTrip = { reason, at: new Date().toISOString(), workspaceId: channel.workspaceId };
      this.trippedScopes.set(scope, trip);
      this.periods.push({ scope, from: Date.now(), to: null });
      const suspects = this.suspectsOf(scope);
      suspects.set(field, code);
      const redrive = this.redrivesOf(channel.platform);
      const channels = new Set<string>();
      for (const stamp of earlier) {
        redrive.add(stamp.member);
        const [, , earlierField, earlierCode] = stamp.member.split(SEP);
        channels.add(earlierField!);
        suspects.set(earlierField!, earlierCode ?? '');
      }
      for (const stamp of skipped) if (channels.has(stamp.member.split(SEP)[2]!)) redrive.add(stamp.member);
      this.sends.delete(scope);
      this.lostAnswers.delete(scope);
      this.skips.delete(scope);
      return {
        action: 'hold',
        trip,
        justTripped: true,
        earlier: earlier.map((stamp) => parseMember(stamp.member).channel),
      };
    }
    earlier.push({ at: Date.now(), member: [Date.now(), jobId, field, code].join(SEP) });
    return { action: 'disable' };
  }

  async skipped(channel: ChannelRef, jobId: string): Promise<void> {
    const now = Date.now();
    this.window(this.skips, guardScope(channel)).push({
      at: now,
      member: [now, jobId, channelField(channel)].join(SEP),
    });
  }

  async suspects(scope: string): Promise<Suspect[]> {
    return [...this.suspectsOf(scope)].map(([field, code]) => ({ channel: fieldChannel(field), code }));
  }

  async settle(scope: string, judged: GuardJudgement): Promise<number> {
    const suspects = this.suspectsOf(scope);
    const settled = [...judged.lost, ...judged.reachable, ...(judged.released ?? [])];
    settled.forEach((c) => suspects.delete(channelField(c)));
    const lost = new Set(judged.lost.map(channelField));
    const platform = scope.split(':')[0] as Platform;
    const redrive = this.redrivesOf(platform);
    for (const member of [...redrive]) if (lost.has(member.split(SEP)[2]!)) redrive.delete(member);
    const reachable = this.reachable.get(scope) ?? new Map<string, number>();
    this.reachable.set(scope, reachable);
    judged.reachable.forEach((c) => reachable.set(channelField(c), Date.now()));
    return suspects.size;
  }

  async admit(channel: ChannelRef, jobId: string): Promise<GuardAdmission> {
    const scope = guardScope(channel);
    const field = channelField(channel);
    if (this.suspectsOf(scope).has(field)) {
      this.redrivesOf(channel.platform).add([Date.now(), jobId, field].join(SEP));
      return 'held';
    }
    return this.trippedScopes.has(scope) ? 'paused' : 'clear';
  }

  async holding(channel: ChannelRef): Promise<boolean> {
    const scope = guardScope(channel);
    return this.trippedScopes.has(scope) || this.suspectsOf(scope).has(channelField(channel));
  }

  async heldScopes(platform: Platform): Promise<string[]> {
    return [...this.suspected]
      .filter(([scope, held]) => scope.split(':')[0] === platform && held.size > 0)
      .filter(([scope]) => !this.trippedScopes.has(scope))
      .map(([scope]) => scope)
      .sort();
  }

  async redrivable(member: string, channel: ChannelRef): Promise<boolean> {
    const scope = guardScope(channel);
    return (
      this.redrivesOf(channel.platform).has(member) &&
      !this.trippedScopes.has(scope) &&
      !this.suspectsOf(scope).has(channelField(channel))
    );
  }

  async tripped(scope: string): Promise<GuardTrip | null> {
    return this.trippedScopes.get(scope) ?? null;
  }

  async trip(scope: string, reason: string, workspaceId = ''): Promise<void> {
    if (this.trippedScopes.has(scope)) return;
    this.trippedScopes.set(scope, { reason, at: new Date().toISOString(), workspaceId, probe: reason });
    this.periods.push({ scope, from: Date.now(), to: null });
  }

  async probeFailed(scope: string, why: string): Promise<void> {
    const trip = this.trippedScopes.get(scope);
    if (trip) this.trippedScopes.set(scope, { ...trip, probe: why });
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
    return [...this.redrivesOf(platform)].map((member) => ({ member, ...parseMember(member) }));
  }

  async redriven(platform: Platform, member: string): Promise<void> {
    this.redrive.get(platform)?.delete(member);
  }
}

function fieldChannel(field: string): ChannelRef {
  const [platform, workspaceId, channelId] = JSON.parse(field) as string[];
  return { platform: platform as Platform, workspaceId: workspaceId!, channelId: channelId! };
}

function parseMember(member: string): { jobId: string; channel: ChannelRef } {
  const [, jobId, field] = member.split(SEP);
  return { jobId: jobId!, channel: fieldChannel(field!) };
}
