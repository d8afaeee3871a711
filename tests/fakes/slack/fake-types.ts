// The shapes the fake Slack records and is configured with.

/** A bot token the fake knows: which workspace it belongs to and who the bot is. */
export interface FakeBotToken {
  teamId: string;
  botId: string;
  botUserId: string;
  /** The scopes granted to the token: sent back in `x-oauth-scopes` on every Web API answer, as Slack does. */
  scopes?: string[];
}

/** A user for `users.info`. */
export interface FakeUser {
  isAdmin?: boolean;
  isOwner?: boolean;
  isPrimaryOwner?: boolean;
}

/** A channel for `conversations.info` and `chat.postMessage`. */
export interface FakeChannel {
  isMember?: boolean;
  isPrivate?: boolean;
  isArchived?: boolean;
  /** When set, every `chat.postMessage` here answers `ok:false` with this error. */
  postError?: string;
  /** When set, every `chat.postMessage` here answers HTTP 429 with this `Retry-After` (seconds). */
  rateLimitedFor?: number;
  /** When set, every `conversations.history` here answers `ok:false` with this error. */
  historyError?: string;
}

/** A one-shot answer for the next call of a method: a 429, an HTTP status, or an `ok:false` error code. */
export type FakeCue =
  | { status: 429; retryAfter?: number }
  | { status: number; html?: boolean }
  | { error: string }
  /** Handles the call (a message is posted), then cuts the connection: the answer is lost. */
  | { lose: true };

/** One Web API call as the fake received it. */
export interface FakeCall {
  method: string;
  token: string | null;
  params: Record<string, string>;
}

/** A message `chat.postMessage` accepted, with its blocks decoded. */
export interface FakeMessage {
  ts: string;
  token: string | null;
  channel: string;
  text: string;
  blocks: unknown[];
  params: Record<string, string>;
  /** When it was posted (epoch ms). */
  at?: number;
  /** A person's message (`say`): who wrote it; the bot's messages have none. */
  user?: string;
  /** The app that posted it; the fake's own bot when absent. */
  botId?: string;
}

/** A body POSTed to a `response_url`. */
export interface FakeResponse {
  id: string;
  body: Record<string, unknown>;
}
