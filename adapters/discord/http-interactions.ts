import express from 'express';
import type { Logger } from '../../src/logger.js';
import { DiscordClient } from './client.js';
import type { DiscordInteractionHandler, InteractionResponder } from './interaction-handler.js';
import { CALLBACK_TYPE } from './interaction-handler.js';
import { INTERACTION_TYPE, interactionPayload, invocationFromPayload } from './invocation.js';
import { restResponder } from './rest-responder.js';
import { discordPublicKey, verifyDiscordSignature } from './signature.js';

/**
 * Largest interaction body read. Interactions are small (a command with its options, a few KB); anything
 * bigger is refused with 413 before it is buffered, let alone verified or parsed (issue 12).
 */
export const INTERACTION_BODY_LIMIT = '64kb';

/** Where Discord posts interactions in HTTP mode (docs/cli.md "HTTP endpoints"). */
export const DISCORD_INTERACTIONS_PATH = '/discord/interactions';

/** What HTTP mode needs: the app's public key, the API base for deferred edits, and the shared handler. */
export interface DiscordInteractionsRouterOptions {
  publicKey: string;
  apiUrl: string;
  handler: DiscordInteractionHandler;
  /** The client for interaction replies and edits of `@original`; built from `apiUrl` when omitted. */
  client?: DiscordClient;
  logger?: Logger;
}

/**
 * HTTP-interactions mode: `POST /discord/interactions`, Ed25519-verified over the raw body, answering in
 * the HTTP response (PONG, a message, a deferral or autocomplete choices). Mount it before any JSON body
 * parser: the signature covers the exact bytes. Setting an endpoint URL in the Developer Portal stops
 * gateway delivery of interactions; the two modes are mutually exclusive:
 * https://discord.com/developers/docs/interactions/overview#configuring-an-interactions-endpoint-url
 */
export function createDiscordInteractionsRouter(options: DiscordInteractionsRouterOptions): express.Router {
  const key = discordPublicKey(options.publicKey);
  const client = options.client ?? new DiscordClient({ apiUrl: options.apiUrl });
  const router = express.Router();
  router.post(
    DISCORD_INTERACTIONS_PATH,
    // Without both signature headers nothing is worth reading: 401 before the body is buffered.
    (req, res, next) => {
      if (!signedLooking(req.get('x-signature-ed25519'), req.get('x-signature-timestamp'))) {
        res.status(401).json({ error: 'invalid request signature' });
        return;
      }
      next();
    },
    // Discord does not compress interaction bodies: a Content-Encoding is refused (415), never inflated.
    express.raw({ type: () => true, limit: INTERACTION_BODY_LIMIT, inflate: false }),
    async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const signature = req.get('x-signature-ed25519');
      const timestamp = req.get('x-signature-timestamp');
      if (!verifyDiscordSignature(key, signature, timestamp, raw)) {
        res.status(401).json({ error: 'invalid request signature' });
        return;
      }
      const parsed = interactionPayload.safeParse(safeJson(raw));
      if (!parsed.success) {
        res.status(400).json({ error: 'not an interaction' });
        return;
      }
      if (parsed.data.type === INTERACTION_TYPE.ping) {
        res.json({ type: CALLBACK_TYPE.pong });
        return;
      }
      const invocation = invocationFromPayload(parsed.data);
      if (!invocation) {
        res.status(400).json({ error: 'unsupported interaction type' });
        return;
      }
      let answered!: () => void;
      const responded = new Promise<void>((resolve) => (answered = resolve));
      const responder: InteractionResponder = {
        async respond(response) {
          res.json(response);
          answered();
        },
        editOriginal: (data) => restResponder(client, invocation).editOriginal(data),
      };
      // The handler may keep working after the response (a deferred edit); its failures are logged, not thrown.
      void options.handler
        .handle(invocation, responder)
        .catch((error: unknown) =>
          options.logger?.error(
            { err: error, subcommand: invocation.subcommand },
            'discord interaction failed',
          ),
        )
        .finally(answered);
      await responded;
      if (!res.headersSent) res.status(500).json({ error: 'no response' });
    },
  );
  return router;
}

function signedLooking(signature: string | undefined, timestamp: string | undefined): boolean {
  return /^[0-9a-fA-F]{128}$/.test(signature ?? '') && /^\d{1,12}$/.test(timestamp ?? '');
}

function safeJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
}
