import type {
  AccessCheck,
  Announcer,
  Delivered,
  DeliveryTarget,
  EarlierAttempt,
  LookResult,
  LookSubject,
} from '../../src/delivery/announcer.js';
import { DeliveryError, WRONG_BOT } from '../../src/delivery/announcer.js';
import type { Post } from '../../src/posts/post.js';
import type { Digest } from '../../src/digests/digest.js';
import type { ChannelRef } from '../../src/subscriptions/subscription-store.js';
import { confirmSlackAccess } from './access.js';
import { renderSlackAnnouncement } from './announcement.js';
import { renderSlackDigest } from './digest.js';
import { announcementMetadata, findEarlierSlackMessage } from './earlier.js';
import { SlackClient } from './client.js';
import { classifySlackError } from './errors.js';
import type { SlackTokenSource } from './tokens.js';

/** How the announcer reaches Slack. */
export interface SlackAnnouncerOptions {
  /** Base URL of the Web API (`SLACK_API_URL`): Slack's, or a local fake in tests. */
  apiUrl: string;
  tokens: SlackTokenSource;
  /** Per-request timeout; web-api's default is none at all. */
  timeoutMs?: number;
  /** The client every call goes through; a queue-owned one (`SlackClient.queueOwned`) when omitted. */
  client?: SlackClient;
}

/** Posts announcements with `chat.postMessage`; every failure comes back as a classified `DeliveryError`. */
export class SlackAnnouncer implements Announcer {
  readonly platform = 'slack' as const;
  private readonly client: SlackClient;
  /** The request timeout: a send's message is in Slack, if at all, by the time it ran out. */
  private readonly timeoutMs: number;

  constructor(private readonly options: SlackAnnouncerOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    // One token-less client; each call names its workspace's token.
    this.client = options.client ?? SlackClient.queueOwned(options.apiUrl, this.timeoutMs);
  }

  /**
   * Slack has no idempotency key for messages: the nonce travels in the message's metadata instead, so a
   * re-send can first look for it (`findEarlier`).
   */
  announce(post: Post, target: DeliveryTarget, nonce: string): Promise<Delivered> {
    return this.post(target, nonce, () => renderSlackAnnouncement(post, target.options));
  }

  /**
   * A digest is one `chat.postMessage`, classified like an announcement, carrying its delivery key in the
   * same metadata, so a re-send looks for it first (`findEarlier`) as for an announcement.
   */
  sendDigest(digest: Digest, target: DeliveryTarget, nonce: string): Promise<Delivered> {
    return this.post(target, nonce, () => renderSlackDigest(digest, target.options));
  }

  /** One `chat.postMessage` carrying the delivery key in its metadata; any failure comes back classified. */
  private async post(
    target: DeliveryTarget,
    nonce: string,
    render: () => ReturnType<typeof renderSlackAnnouncement> | ReturnType<typeof renderSlackDigest>,
  ): Promise<Delivered> {
    try {
      const token = await this.options.tokens.botToken(target.workspaceId);
      const result = await this.client.call('chat.postMessage', {
        token,
        channel: target.channelId,
        ...render(),
        metadata: announcementMetadata(nonce),
      });
      if (!result.ts) throw DeliveryError.transient('no_ts', 'Slack accepted the message but returned no ts');
      return { messageId: result.ts };
    } catch (error) {
      throw classifySlackError(error);
    }
  }

  /**
   * Rewrites the announcement at its recorded `ts` with `chat.update`, never posting a new one. A message
   * deleted meanwhile cannot be edited: that is this post's problem, not the channel's.
   * https://docs.slack.dev/reference/methods/chat.update
   */
  async edit(post: Post, target: DeliveryTarget, delivered: Delivered): Promise<void> {
    try {
      const token = await this.options.tokens.botToken(target.workspaceId);
      const { text, blocks } = renderSlackAnnouncement(post, target.options);
      await this.client.call('chat.update', {
        token,
        channel: target.channelId,
        ts: delivered.messageId,
        text,
        blocks,
      });
    } catch (error) {
      if (error instanceof DeliveryError && error.code === 'message_not_found')
        throw DeliveryError.unsendable('message_not_found', 'the announcement was deleted; nothing to edit');
      throw classifySlackError(error);
    }
  }

  /**
   * Looks in the channel's history for the message an earlier attempt may have posted: one page of the
   * window from the first attempt to its timeout (`findEarlierSlackMessage`).
   */
  async findEarlier(
    _subject: LookSubject,
    target: DeliveryTarget,
    attempt: EarlierAttempt,
  ): Promise<LookResult> {
    let token: string;
    try {
      token = await this.options.tokens.botToken(target.workspaceId);
    } catch (error) {
      throw classifySlackError(error);
    }
    return findEarlierSlackMessage(this.client, token, target.channelId, attempt, this.timeoutMs);
  }

  /** `conversations.info` for each held channel, with its workspace's token (`access.ts`). */
  async confirmAccess(suspects: readonly { channel: ChannelRef; code: string }[]): Promise<AccessCheck[]> {
    const checks: AccessCheck[] = [];
    for (const workspaceId of new Set(suspects.map(({ channel }) => channel.workspaceId))) {
      let token: string;
      try {
        token = await this.options.tokens.botToken(workspaceId);
      } catch (error) {
        throw classifySlackError(error);
      }
      const own = suspects.filter(({ channel }) => channel.workspaceId === workspaceId);
      checks.push(...(await confirmSlackAccess(this.client, token, own)));
    }
    return checks;
  }

  /**
   * `auth.test`: resolves when Slack accepts the workspace's token and it is that workspace's. A token that
   * answers for another team (a mixed-up install, a SLACK_BOT_TOKEN of another workspace) throws
   * `WRONG_BOT`: its `conversations.info` would call every channel here gone. An org-wide (Enterprise
   * Grid) install answers for the organisation, so it is taken as it is.
   * https://docs.slack.dev/reference/methods/auth.test
   */
  async probe(workspaceId: string): Promise<void> {
    const token = await this.options.tokens.botToken(workspaceId);
    const answer = await this.client.call('auth.test', { token });
    const team = typeof answer.team_id === 'string' ? answer.team_id : '';
    if (answer.is_enterprise_install === true || team === '' || team === workspaceId) return;
    throw DeliveryError.auth(
      WRONG_BOT,
      `the Slack token used for workspace ${workspaceId} is the token of workspace ${team}`,
    );
  }
}
