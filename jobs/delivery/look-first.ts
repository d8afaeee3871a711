import type { Announcer, Delivered, DeliveryTarget, LookSubject } from '../../src/delivery/announcer.js';
import type { DeliveryLedger } from '../../src/delivery/ledger.js';
import type { Logger } from '../../src/logger.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';

/** Where a platform would not let us look, recorded for `status` and `doctor`. */
export interface LookNotes {
  unavailable(channel: ChannelRef, reason: string): Promise<void>;
  /** A look worked here: the note (if any) no longer holds. */
  available?(channel: ChannelRef): Promise<void>;
}

/** What looking first needs. */
export interface LookFirstDeps {
  announcer: Announcer;
  ledger: DeliveryLedger;
  logger: Logger;
  notes?: LookNotes;
}

/** Called before a look; throws (the job moves to delayed) while looking is rate-limited. */
export type BeforeLook = () => Promise<void>;

/**
 * Marks the attempt (of an announcement or a digest), and when an earlier one may have reached the platform (any attempt after the first,
 * a stalled job, a timeout, a reset, a worker killed between send and ledger), looks in the channel for its
 * message first. Returns the message when found (the caller records it and stops), else null: send; and
 * whether this is the first attempt (only then does a refused send prove no message of this delivery exists).
 * A failed look throws (nothing may be sent on an ambiguous signal); a look the platform does not allow
 * falls back to sending, noted once per workspace.
 */
export function createLookFirst(deps: LookFirstDeps) {
  const warned = new Set<string>();
  return async (
    key: string,
    channel: ChannelRef,
    subject: LookSubject,
    target: DeliveryTarget,
    nonce: string,
    beforeLook?: BeforeLook,
  ): Promise<{ earlier: Delivered | null; first: boolean }> => {
    const since = await deps.ledger.markAttempt(key, channel, new Date());
    if (since === null) return { earlier: null, first: true };
    if (!deps.announcer.findEarlier) return { earlier: null, first: false };
    await beforeLook?.();
    const look = await deps.announcer.findEarlier(subject, target, { nonce, since });
    const where = `${channel.platform}:${channel.workspaceId}`;
    if ('unavailable' in look) {
      if (!warned.has(where)) {
        warned.add(where);
        deps.logger.warn(
          { ...channel, reason: look.unavailable },
          'cannot look for an earlier attempt before re-sending: a lost answer may post twice here',
        );
        await deps.notes?.unavailable(channel, look.unavailable);
      }
      return { earlier: null, first: false };
    }
    warned.delete(where);
    await deps.notes?.available?.(channel);
    if (look.found) {
      deps.logger.info(
        { ...channel, delivery: key, messageId: look.found.messageId },
        'found the message an earlier attempt posted: recording it instead of sending again',
      );
    }
    return { earlier: look.found, first: false };
  };
}

/** A look-first function as `createLookFirst` makes it. */
export type LookFirst = ReturnType<typeof createLookFirst>;
