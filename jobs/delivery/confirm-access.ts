import type { AccessCheck, Announcer } from '../../src/delivery/announcer.js';
import type { RedisDisableGuard, Suspect } from '../../src/delivery/disable-guard.js';
import { disableWorkspace } from '../../src/delivery/lost-access.js';
import type { Logger } from '../../src/logger.js';
import type { Platform } from '../../src/posts/post.js';
import type { ChannelRef, SubscriptionStore } from '../../src/subscriptions/subscription-store.js';

/** What confirming the guard's suspects needs. */
export interface ConfirmAccessDeps {
  platform: Platform;
  guard: Pick<RedisDisableGuard, 'suspects' | 'settle'>;
  announcer: Pick<Announcer, 'confirmAccess'>;
  subscriptions: Pick<SubscriptionStore, 'listWorkspace' | 'disable' | 'get' | 'put'>;
  logger: Logger;
  /** Told why the platform could not be asked (the probe loop's back-off depends on it). */
  onError?: (error: unknown) => void;
}

/** How one confirmation round went: whether the platform could be asked, and how many channels stay held. */
export interface ConfirmOutcome {
  asked: boolean;
  /** Suspects the scope still holds: those the platform's answer proved nothing about, and any new ones. */
  held: number;
}

/**
 * Once the probe shows the token works (the scope itself has resumed), asks the platform about every channel
 * the guard holds. The loss it confirms is acted on: the channel (or, when the whole server removed the bot,
 * every subscription of that server) is disabled with the platform's reason. Channels the platform shows
 * reachable are re-enabled, and their jobs re-driven (a platform that cannot be asked at all releases them
 * all). A channel whose answer proved nothing (a 5xx, a 429, a stray 401) stays held, neither disabled nor
 * sent to, and is asked about again next round; so does every channel when the platform could not be asked.
 */
export async function confirmSuspects(deps: ConfirmAccessDeps, scope: string): Promise<ConfirmOutcome> {
  const all = await deps.guard.suspects(scope);
  // A channel unsubscribed meanwhile (or a Slack workspace uninstalled) needs no answer: it is let go.
  const gone: Suspect[] = [];
  const suspects: Suspect[] = [];
  for (const suspect of all)
    ((await deps.subscriptions.get(suspect.channel)) ? suspects : gone).push(suspect);
  if (gone.length > 0) {
    const left = await deps.guard.settle(scope, {
      lost: [],
      reachable: [],
      released: gone.map(({ channel }) => channel),
      unknown: [],
    });
    if (suspects.length === 0) return { asked: true, held: left };
  }
  if (suspects.length === 0) return { asked: true, held: 0 };
  let checks: AccessCheck[];
  const released = !deps.announcer.confirmAccess;
  try {
    checks = deps.announcer.confirmAccess
      ? await deps.announcer.confirmAccess(suspects)
      : suspects.map(({ channel }) => ({ channel, verdict: 'reachable' }));
  } catch (error) {
    deps.logger.warn(
      { err: error, scope, suspects: suspects.length },
      'could not confirm which channels lost access: they stay held (not disabled, not sent to)',
    );
    deps.onError?.(error);
    return { asked: false, held: suspects.length };
  }
  const judged = { lost: [] as ChannelRef[], reachable: [] as ChannelRef[], unknown: [] as ChannelRef[] };
  const servers = new Map<string, string>();
  let disabled = 0;
  for (const check of checks) {
    judged[check.verdict].push(check.channel);
    if (check.verdict === 'reachable') await reenable(deps.subscriptions, check.channel);
    else if (check.verdict === 'unknown') continue;
    else if (check.workspace) servers.set(check.channel.workspaceId, check.reason);
    else {
      await deps.subscriptions.disable(check.channel, check.reason);
      disabled += 1;
    }
  }
  for (const [workspaceId, reason] of servers)
    disabled += await disableWorkspace(deps.subscriptions, deps.platform, workspaceId, reason);
  const held = await deps.guard.settle(
    scope,
    released ? { lost: [], reachable: [], released: judged.reachable, unknown: [] } : judged,
  );
  deps.logger.warn(
    {
      scope,
      confirmedLost: judged.lost.length,
      reachable: judged.reachable.length,
      unconfirmed: judged.unknown.length,
      serversLost: [...servers.keys()],
      disabled,
      held,
    },
    held > 0
      ? 'mass-disable guard: lost access confirmed where the platform said so; the channels it could not answer for stay held'
      : 'mass-disable guard: lost access confirmed with the platform; only those channels are disabled',
  );
  return { asked: true, held };
}

/** Re-enables a subscription disabled just before the guard tripped, whose loss the platform did not confirm. */
export async function reenable(
  subscriptions: Pick<SubscriptionStore, 'get' | 'put'>,
  channel: ChannelRef,
): Promise<void> {
  const subscription = await subscriptions.get(channel);
  if (subscription?.disabledReason) {
    await subscriptions.put({ ...subscription, disabledReason: null, disabledAt: null });
  }
}
