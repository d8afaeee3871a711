/** Wire shapes of the fake Discord: message objects, JSON errors, request bodies. */
import type { IncomingMessage } from 'node:http';

/** An answer to play instead of the normal one, e.g. a 429 with `Retry-After`, a 403 50001 or a 500. */
export interface CuedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as is instead of JSON, e.g. a proxy's HTML page (set `content-type` in `headers`). */
  raw?: string;
  /** Handle the request as normal (a message is created), then cut the connection: the answer is lost. */
  lose?: boolean;
}

/** A message as the fake stores it; the subset of Discord's message object tests look at. */
export interface FakeMessage {
  id: string;
  channel_id: string;
  content: string;
  embeds: unknown[];
  nonce?: string | number;
  flags: number;
  crossposted: boolean;
  body: Record<string, unknown>;
  /** A message not written by the bot: a follow's webhook copying a crosspost (fake-crossposts.ts). */
  author?: Record<string, unknown>;
  webhook_id?: string;
  message_reference?: Record<string, unknown>;
}

/** The application the fake's bot belongs to (`GET /applications/@me`, interactions). */
export const FAKE_APPLICATION_ID = '900000000000000002';

/** The bot user the fake answers as (`GET /users/@me`, READY, message authors). */
export const BOT_USER = {
  id: '900000000000000001',
  username: 'psf-bot',
  discriminator: '0',
  avatar: null,
  bot: true,
  global_name: null,
};

/** A stored message as Discord's message object (flag 1 = crossposted). */
export function wire(message: FakeMessage): Record<string, unknown> {
  return {
    id: message.id,
    type: 0,
    channel_id: message.channel_id,
    author: message.author ?? BOT_USER,
    ...(message.webhook_id ? { webhook_id: message.webhook_id } : {}),
    ...(message.message_reference ? { message_reference: message.message_reference } : {}),
    content: message.content,
    embeds: message.embeds,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    // As sent (or last edited): a Components V2 message is its components.
    components: Array.isArray(message.body.components) ? message.body.components : [],
    pinned: false,
    flags: message.flags | (message.crossposted ? 1 : 0),
    ...(message.nonce !== undefined ? { nonce: message.nonce } : {}),
  };
}

/** A 200 with a JSON body. */
export function ok(body: unknown): CuedResponse {
  return { status: 200, body };
}

/** Discord's JSON error body: https://discord.com/developers/docs/reference#error-messages */
export function error(status: number, code: number, message: string): CuedResponse {
  return { status, body: { code, message } };
}

/** The whole request body. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** JSON bodies parsed, anything else kept as text. */
export function parseJson(raw: Buffer, type: string | undefined): unknown {
  if (!type?.includes('json')) return raw.toString('utf8');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return raw.toString('utf8');
  }
}
