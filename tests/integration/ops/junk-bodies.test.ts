import { gzipSync } from 'node:zlib';
import { request } from 'node:http';
import { ExpressReceiver } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordInteractionsRouter } from '../../../adapters/discord/http-interactions.js';
import { DiscordInteractionHandler } from '../../../adapters/discord/interaction-handler.js';
import { boltLogger } from '../../../adapters/slack/bolt-logger.js';
import { createLogger } from '../../../src/logger.js';
import { createWebServer, type WebServer } from '../../../jobs/web/server.js';
import { createTestSigner } from '../../fakes/discord/signing.js';

// Issue 12 §5: junk sent to the public endpoints answered 500 and logged error-level stack traces.
const signer = createTestSigner();
const lines: string[] = [];
let web: WebServer;
let port: number;

beforeAll(async () => {
  const logger = createLogger('debug', { stream: { write: (line: string) => void lines.push(line) } });
  // Bolt logs through the same logger, as in production: its lines count too.
  const receiver = new ExpressReceiver({ signingSecret: 'slack-signing-secret', logger: boltLogger(logger) });
  const handler = new DiscordInteractionHandler({
    commands: { handle: async () => ({ kind: 'text', text: 'hi' }), suggestTags: async () => [] },
  });
  web = createWebServer({
    config: { port: 0 },
    host: '127.0.0.1',
    logger,
    mounts: [
      { router: receiver.router },
      {
        router: createDiscordInteractionsRouter({
          publicKey: signer.publicKeyHex,
          apiUrl: 'http://127.0.0.1:9/api',
          handler,
        }),
      },
    ],
  });
  port = await web.listen();
});

afterAll(async () => {
  await web.close();
});

/** One raw POST (fetch would refuse some of these headers); resolves status and body text. */
function post(path: string, body: Buffer, headers: Record<string, string>): Promise<[number, string]> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { ...headers, 'content-length': body.length },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve([res.statusCode ?? 0, text]));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      // The server may answer and close before the whole junk body is sent.
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') resolve([0, error.code]);
      else reject(error);
    });
    req.end(body);
  });
}

const json = { 'content-type': 'application/json' };
const JUNK: [string, Buffer, Record<string, string>][] = [
  ['a 2 MB body', Buffer.alloc(2 * 1024 * 1024, 'a'), json],
  ['bad gzip', Buffer.from('this is not gzip at all'), { ...json, 'content-encoding': 'gzip' }],
  ['an unknown Content-Encoding', Buffer.from('{}'), { ...json, 'content-encoding': 'zstd-of-doom' }],
  ['a gzip bomb', gzipSync(Buffer.alloc(50 * 1024 * 1024, 0)), { ...json, 'content-encoding': 'gzip' }],
];

/** Signature headers of the right shape but a wrong signature: the body is read before it can be checked. */
function forged(path: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return path.startsWith('/slack')
    ? { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': `v0=${'0'.repeat(64)}` }
    : { 'x-signature-timestamp': timestamp, 'x-signature-ed25519': '0'.repeat(128) };
}

const CASES = ['/slack/events', '/discord/interactions'].flatMap((path) =>
  [false, true].flatMap((signed) =>
    JUNK.map(([what, body, headers]) => [path, signed ? 'forged' : 'unsigned', what, body, headers] as const),
  ),
);

describe('junk bodies sent to the public endpoints', () => {
  it.each(CASES)(
    '%s, %s: answers %s with a 4xx and a short body, logged at warn without a stack',
    async (path, signed, _what, body, headers) => {
      lines.length = 0;
      const [status, text] = await post(path, body, {
        ...headers,
        ...(signed === 'forged' ? forged(path) : {}),
      });
      expect([400, 401, 413, 415]).toContain(status);
      expect(text.length).toBeLessThan(80);
      const logged = lines.map((line) => JSON.parse(line) as { level: number; err?: { stack?: string } });
      expect(logged.filter((line) => line.level >= 50)).toEqual([]);
      expect(logged.some((line) => line.err?.stack)).toBe(false);
    },
  );
});
