import {
  DeliveryError,
  type Announcer,
  type Delivered,
  type DeliveryTarget,
  type EarlierAttempt,
  type LookResult,
  type LookSubject,
} from '../../src/delivery/announcer.js';
import type { DeliveryLedger } from '../../src/delivery/ledger.js';
import type { Logger } from '../../src/logger.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';

/** Where a platform would not let us look, recorded for `status` and `doctor`. */
export interface LookNotes {
  unavailable(channel: ChannelRef, reason: string): Promise<void>;
  /** A look worked here: the note (if any) no longer holds. */
  available?(channel: ChannelRef): Promise<void>;
}

/**
 * How long one look may take, held rate limits and waiting for its turn included, before the delivery is
 * recorded unverified: neither sent again (that could post twice) nor lost (the operator can force it).
 */
export const LOOK_DEADLINE_MS = 30 * 60_000;

/** What looking first needs. */
export interface LookFirstDeps {
  announcer: Announcer;
  ledger: DeliveryLedger;
  logger: Logger;
  notes?: LookNotes;
  /** `LOOK_DEADLINE_MS` unless a test shortens it. */
  lookDeadlineMs?: number;
  /** The clock the deadline is measured on (epoch ms). */
  now?: () => number;
}

/** What a look in progress keeps on its job between runs, so a held look goes on where it stopped. */
export interface LookProgress {
  /** When the look began (epoch ms): its deadline runs from here. */
  startedAt: number;
  /** Where it stopped reading (a `partial` look). */
  cursor?: string;
  /** The operator forced an unverified delivery (`deliveries retry`): it is sent without a look, once. */
  force?: boolean;
}

/** Where a look keeps its progress and waits its turn: the deliver job (`look-session.ts`). */
export interface LookSession {
  /** What an earlier run of this look left on the job, if anything. */
  readonly progress: LookProgress | undefined;
  /** Keeps the progress on the job (null: the look is over). */
  save(progress: LookProgress | null): Promise<void>;
  /** Before each page: throws (the job waits in delayed) while looks are held or it is not this look's turn. */
  begin(): Promise<void>;
  /** After a page: gives the turn on; with `again` the look queues up for its next page. */
  end(again: boolean): Promise<void>;
}

/** A look that could not finish before its deadline: the delivery is unverified (see `unverified.ts`). */
export class LookUnfinished extends Error {
  override readonly name = 'LookUnfinished';
  constructor(readonly startedAt: Date) {
    super(
      `no look could show within its deadline whether a message was posted (look began ${startedAt.toISOString()})`,
    );
  }
}

/**
 * Marks the attempt (of an announcement or a digest), and when an earlier one may have reached the platform (any attempt after the first,
 * a stalled job, a timeout, a reset, a worker killed between send and ledger), looks in the channel for its
 * message first. Returns the message when found (the caller records it and stops), else null: send; and
 * whether this is the first attempt (only then does a refused send prove no message of this delivery exists).
 * A failed look throws (nothing may be sent on an ambiguous signal); a look the platform does not allow
 * falls back to sending, noted once per workspace; a look past its deadline throws `LookUnfinished`.
 */
export function createLookFirst(deps: LookFirstDeps) {
  const warned = new Set<string>();
  const now = deps.now ?? Date.now;
  return async (
    key: string,
    channel: ChannelRef,
    subject: LookSubject,
    target: DeliveryTarget,
    nonce: string,
    session?: LookSession,
  ): Promise<{ earlier: Delivered | null; first: boolean }> => {
    const since = await deps.ledger.markAttempt(key, channel, new Date(now()));
    if (since === null) return { earlier: null, first: true };
    if (!deps.announcer.findEarlier) return { earlier: null, first: false };
    if (session?.progress?.force) {
      deps.logger.warn({ ...channel, delivery: key }, 'sending an unverified delivery the operator forced');
      await session.save(null);
      return { earlier: null, first: false };
    }
    const look = await lookThrough(deps, now, session, subject, target, { nonce, since });
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

/**
 * Reads page after page (one per turn) until the look is conclusive, keeping the cursor on the job after
 * each; a look past its deadline leaves the line and throws `LookUnfinished`. A 429 keeps the look's place in
 * line (it waits out the hold and reads the same page); any other failure gives its turn up.
 */
async function lookThrough(
  deps: LookFirstDeps,
  now: () => number,
  session: LookSession | undefined,
  subject: LookSubject,
  target: DeliveryTarget,
  attempt: EarlierAttempt,
): Promise<Exclude<LookResult, { partial: string }>> {
  const findEarlier = deps.announcer.findEarlier!.bind(deps.announcer);
  let progress = session?.progress ?? { startedAt: now() };
  if (!session?.progress) await session?.save(progress);
  for (;;) {
    if (now() - progress.startedAt >= (deps.lookDeadlineMs ?? LOOK_DEADLINE_MS)) {
      await session?.end(false);
      await session?.save(null);
      throw new LookUnfinished(new Date(progress.startedAt));
    }
    await session?.begin();
    let look: LookResult;
    try {
      look = await findEarlier(subject, target, {
        ...attempt,
        ...(progress.cursor ? { cursor: progress.cursor } : {}),
      });
    } catch (error) {
      if (!(error instanceof DeliveryError && error.kind === 'rate_limited')) await session?.end(false);
      throw error;
    }
    if (!('partial' in look)) {
      await session?.end(false);
      await session?.save(null);
      return look;
    }
    progress = { ...progress, cursor: look.partial };
    await session?.save(progress);
    await session?.end(true);
  }
}

/** A look-first function as `createLookFirst` makes it. */
export type LookFirst = ReturnType<typeof createLookFirst>;
