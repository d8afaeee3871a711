/**
 * The one way psf-bot calls Slack's Web API: every method the running bot uses (deliveries, edits, looks,
 * probes, the checks behind `/psf subscribe`, App Home) is `client.call(method, args)` with a method named
 * in `SLACK_METHODS`. Lint forbids constructing a `WebClient` or calling one's methods anywhere else
 * (eslint.config.js), so for every call:
 *
 * - **Each outcome is classified once**, by `classifySlackError` (errors.ts): lost access by Slack's own
 *   `error` code, rate-limited per workspace with Slack's `Retry-After`, auth (`invalid_auth`, `not_authed`,
 *   HTTP 401), or transient. Callers catch `DeliveryError` and read its `code` (Slack's `error` string).
 * - **A 401 leaves the client usable.** Each call names its workspace's token (or Bolt's per-request client
 *   carries it); web-api keeps no state that a refusal could clear, and no retry policy of its own here.
 * - **The queue owns waits:** `queueOwnedClientOptions` turns off web-api's retries (ten over about thirty
 *   minutes, holding a worker) and rejects 429s with their `Retry-After` instead of sleeping on them.
 *
 * Bolt builds a `WebClient` per request for its handlers; `SlackClient.over(client)` wraps it.
 */
import { webApi } from '@slack/bolt';
import { classifySlackError } from './errors.js';

function method<A, R>(invoke: (web: webApi.WebClient, args: A) => Promise<R>) {
  return invoke;
}

/** Every Web API method the bot calls, by Slack's name. Add a method here before calling it. */
export const SLACK_METHODS = {
  'apps.connections.open': method((web, args: webApi.AppsConnectionsOpenArguments) =>
    web.apps.connections.open(args),
  ),
  'auth.test': method((web, args: webApi.AuthTestArguments) => web.auth.test(args)),
  'chat.postMessage': method((web, args: webApi.ChatPostMessageArguments) => web.chat.postMessage(args)),
  'chat.update': method((web, args: webApi.ChatUpdateArguments) => web.chat.update(args)),
  'conversations.history': method((web, args: webApi.ConversationsHistoryArguments) =>
    web.conversations.history(args),
  ),
  'conversations.info': method((web, args: webApi.ConversationsInfoArguments) =>
    web.conversations.info(args),
  ),
  'users.info': method((web, args: webApi.UsersInfoArguments) => web.users.info(args)),
  'usergroups.list': method((web, args: webApi.UsergroupsListArguments) => web.usergroups.list(args)),
  'views.publish': method((web, args: webApi.ViewsPublishArguments) => web.views.publish(args)),
} as const;

export type SlackMethodName = keyof typeof SLACK_METHODS;
export type SlackArgs<M extends SlackMethodName> = Parameters<(typeof SLACK_METHODS)[M]>[1];
export type SlackAnswer<M extends SlackMethodName> = Awaited<ReturnType<(typeof SLACK_METHODS)[M]>>;

/**
 * Web API options for a client whose failures the queue handles: no retries of its own and 429s thrown as
 * `WebAPIRateLimitedError` with the server's Retry-After rather than slept on inside the client.
 */
export function queueOwnedClientOptions(apiUrl: string, timeoutMs: number): webApi.WebClientOptions {
  return {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
  };
}

/** Slack's Web API through one path; see the top of this file. */
export class SlackClient {
  private constructor(private readonly web: webApi.WebClient) {}

  /** A token-less client for the delivery workers: each call names its workspace's `token`. */
  static queueOwned(apiUrl: string, timeoutMs: number): SlackClient {
    return new SlackClient(new webApi.WebClient(undefined, queueOwnedClientOptions(apiUrl, timeoutMs)));
  }

  /** Wraps the client Bolt hands a listener (it carries the workspace's token). */
  static over(web: webApi.WebClient): SlackClient {
    return new SlackClient(web);
  }

  /** Calls one method; throws a classified `DeliveryError` for every failure. */
  async call<M extends SlackMethodName>(name: M, args: SlackArgs<M>): Promise<SlackAnswer<M>> {
    const invoke = SLACK_METHODS[name] as (
      web: webApi.WebClient,
      args: SlackArgs<M>,
    ) => Promise<SlackAnswer<M>>;
    try {
      return await invoke(this.web, args);
    } catch (error) {
      throw classifySlackError(error);
    }
  }
}
