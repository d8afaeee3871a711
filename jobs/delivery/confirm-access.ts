import type { AccessCheck, Announcer } from '../../src/delivery/announcer.js';
import type { RedisDisableGuard } from '../../src/delivery/disable-guard.js';
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

/**
 * Once the probe shows the token works, and while the scope is still paused, asks the platform about every
 * channel the tripped guard held. The loss it confirms is acted on: the channel (or, when the whole server
 * removed the bot, every subscription of that server) is disabled with the platform's reason. The others are
 * re-enabled (a platform that cannot be asked re-enables them all), and the guard re-drives their jobs as it
 * clears. Returns false when the platform could not be asked: then the scope stays paused and the next probe
 * round asks again.
 */
export async function confirmSuspects(deps: ConfirmAccessDeps, scope: string): Promise<boolean> {
  const suspects = await deps.guard.suspects(scope);
  if (suspects.length === 0) return true;
  let checks: AccessCheck[];
  try {
    checks = deps.announcer.confirmAccess
      ? await deps.announcer.confirmAccess(suspects)
      : suspects.map(({ channel }) => ({
          channel,
          verdict: 'unknown',
          reason: 'the platform cannot be asked',
        }));
  } catch (error) {
    deps.logger.error(
      { err: error, scope, suspects: suspects.length },
      'deliveries still paused: could not confirm which channels lost access',
    );
    deps.onError?.(error);
    return false;
  }
  const judged = { lost: [] as ChannelRef[], reachable: [] as ChannelRef[], unknown: [] as ChannelRef[] };
  const servers = new Map<string, string>();
  let disabled = 0;
  for (const check of checks) {
    judged[check.verdict].push(check.channel);
    if (check.verdict !== 'lost') await reenable(deps.subscriptions, check.channel);
    else if (check.workspace) servers.set(check.channel.workspaceId, check.reason);
    else {
      await deps.subscriptions.disable(check.channel, check.reason);
      disabled += 1;
    }
  }
  for (const [workspaceId, reason] of servers)
    disabled += await disableWorkspace(deps.subscriptions, deps.platform, workspaceId, reason);
  await deps.guard.settle(scope, judged);
  deps.logger.warn(
    {
      scope,
      confirmedLost: judged.lost.length,
      reachable: judged.reachable.length,
      unconfirmed: judged.unknown.length,
      serversLost: [...servers.keys()],
      disabled,
    },
    'mass-disable guard: lost access confirmed with the platform; only those channels are disabled',
  );
  return true;
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
