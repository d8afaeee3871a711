import type { Platform, Post } from '../posts/post.js';
import {
  DeliveryError,
  type Announcer,
  type Delivered,
  type DeliveryTarget,
  type RateLimitScope,
} from './announcer.js';

/** A failure the scripted platform answers with. `unclassified` throws a plain Error. */
export type ScriptedFailure =
  | { kind: 'permanent'; code?: string }
  | { kind: 'rate_limited'; retryAfterMs: number; scope?: RateLimitScope }
  | { kind: 'transient'; code?: string }
  | { kind: 'rejected'; code?: string }
  | { kind: 'unsendable'; code?: string }
  | { kind: 'unclassified' };

/** One announcement the scripted platform accepted. */
export interface ScriptedSend {
  post: Post;
  target: DeliveryTarget;
  nonce: string;
  messageId: string;
  /** Epoch milliseconds of acceptance. */
  at: number;
}

interface Rule {
  failure: ScriptedFailure;
  remaining: number;
  channelId?: string;
}

/**
 * An in-memory `Announcer` for tests that fails on cue: for the next N calls, or for one channel
 * (a number of times, or for ever). Records every accepted send and every call.
 */
export class ScriptedAnnouncer implements Announcer {
  readonly sent: ScriptedSend[] = [];
  /** Every call, accepted or not, in order: channel, outcome and epoch milliseconds. */
  readonly calls: { channelId: string; outcome: ScriptedFailure['kind'] | 'accepted'; at: number }[] = [];
  private readonly rules: Rule[] = [];

  constructor(
    readonly platform: Platform = 'console',
    private readonly latencyMs = 0,
  ) {}

  /** The next `count` calls (whatever the channel) fail this way. */
  failNext(count: number, failure: ScriptedFailure): this {
    this.rules.push({ failure, remaining: count });
    return this;
  }

  /** Calls for this channel fail this way, `times` times (for ever by default). */
  failChannel(channelId: string, failure: ScriptedFailure, times = Number.POSITIVE_INFINITY): this {
    this.rules.push({ failure, remaining: times, channelId });
    return this;
  }

  async announce(post: Post, target: DeliveryTarget, nonce: string): Promise<Delivered> {
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const rule = this.takeRule(target.channelId);
    if (rule) {
      this.calls.push({ channelId: target.channelId, outcome: rule.kind, at: Date.now() });
      throw toError(rule);
    }
    const messageId = `${this.platform}-${this.sent.length + 1}`;
    this.sent.push({ post, target, nonce, messageId, at: Date.now() });
    this.calls.push({ channelId: target.channelId, outcome: 'accepted', at: Date.now() });
    return { messageId };
  }

  private takeRule(channelId: string): ScriptedFailure | null {
    const rule =
      this.rules.find((r) => r.remaining > 0 && r.channelId === channelId) ??
      this.rules.find((r) => r.remaining > 0 && r.channelId === undefined);
    if (!rule) return null;
    rule.remaining -= 1;
    return rule.failure;
  }
}

function toError(failure: ScriptedFailure): Error {
  switch (failure.kind) {
    case 'permanent':
      return DeliveryError.permanent(failure.code ?? 'channel_not_found', 'scripted permanent failure');
    case 'rate_limited':
      return DeliveryError.rateLimited(failure.retryAfterMs, 'scripted rate limit', failure.scope);
    case 'transient':
      return DeliveryError.transient(failure.code ?? 'http_503', 'scripted transient failure');
    case 'rejected':
      return DeliveryError.rejected(failure.code ?? '50035', 'scripted invalid form body');
    case 'unsendable':
      return DeliveryError.unsendable(failure.code ?? 'forum_tag_required', 'scripted unsendable post');
    case 'unclassified':
      return new Error('scripted unclassified failure');
  }
}
