import { createHash, timingSafeEqual } from 'node:crypto';
import express from 'express';
import type { Queue } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';

/** Where the Bull Board dashboard lives (docs/cli.md). */
export const ADMIN_PATH = '/admin/queues';

type BoardServerAdapter = Parameters<typeof createBullBoard>[0]['serverAdapter'];

const REALM = 'Basic realm="psf-bot admin", charset="UTF-8"';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** The password of an `Authorization: Basic …` header (any user name), or null when there is none. */
export function basicAuthPassword(header: string | undefined): string | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

/**
 * Whether `candidate` equals `token`, in time independent of where they differ: both are hashed first so
 * `timingSafeEqual` sees equal lengths and the token's length does not leak either.
 */
export function tokenMatches(candidate: string, token: string): boolean {
  return timingSafeEqual(digest(candidate), digest(token));
}

/** Express middleware: HTTP basic auth with `token` as the password; 401 with a challenge otherwise. */
export function requireAdminToken(token: string): express.RequestHandler {
  return (req, res, next) => {
    const password = basicAuthPassword(req.headers.authorization);
    if (password !== null && tokenMatches(password, token)) {
      next();
      return;
    }
    res.status(401).set('WWW-Authenticate', REALM).json({ error: 'unauthorized' });
  };
}

/** The Bull Board dashboard over `queues`, behind the admin token, ready to mount at `ADMIN_PATH`. */
export function createAdminRouter(token: string, queues: readonly Queue[]): express.Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(ADMIN_PATH);
  // package.json pins @bull-board/express 9.10.1 beside @bull-board/api 9.10.2, so the adapter's types come from a
  // nested copy of the api; the runtime contract is the same.
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter: serverAdapter as unknown as BoardServerAdapter,
  });
  const router = express.Router();
  router.use(requireAdminToken(token));
  router.use(serverAdapter.getRouter() as express.Router);
  return router;
}
