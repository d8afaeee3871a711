import type express from 'express';
import type { Logger } from '../../src/logger.js';

/** Short answers for the client errors a public endpoint meets: junk bodies, bad encodings, no credentials. */
const ANSWERS: Record<number, string> = {
  400: 'bad request',
  401: 'unauthorized',
  403: 'forbidden',
  413: 'request body too large',
  415: 'unsupported content encoding',
};

/**
 * Answers a client's mistake as one (an oversized body, broken gzip, an unknown `Content-Encoding`, a gzip
 * bomb): its 4xx status with a short body, and a warn line without a stack. Returns false for real failures,
 * which stay 500s logged at error level. body-parser, raw-body and Bolt's receiver throw http-errors
 * (`status`, `type`); zlib throws `Z_*` codes when a body is not the gzip it claims to be.
 */
export function answerBadRequest(
  error: unknown,
  req: express.Request,
  res: express.Response,
  logger?: Logger,
): boolean {
  const status = clientStatus(error);
  if (status === null) return false;
  const { type, code, message } = error as { type?: unknown; code?: unknown; message?: unknown };
  logger?.warn(
    {
      path: req.path,
      status,
      type: typeof type === 'string' ? type : typeof code === 'string' ? code : undefined,
      reason: typeof message === 'string' ? message.slice(0, 200) : undefined,
    },
    'bad HTTP request refused',
  );
  if (!res.headersSent) res.status(status).json({ error: ANSWERS[status] ?? 'bad request' });
  return true;
}

function clientStatus(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null;
  const { status, statusCode, code } = error as { status?: unknown; statusCode?: unknown; code?: unknown };
  const value = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : null;
  if (value !== null && value >= 400 && value < 500) return value;
  if (typeof code === 'string' && code.startsWith('Z_')) return 400;
  return null;
}
