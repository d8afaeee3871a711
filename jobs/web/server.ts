import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Queue } from 'bullmq';
import type { Logger } from '../../src/logger.js';
import { ADMIN_PATH, createAdminRouter, tokenMatches } from './admin.js';
import { answerBadRequest } from './bad-request.js';
import { checkReadiness, type ReadinessCheck } from './readiness.js';

/** What `/metrics` serves: a prom-client `Registry` fits. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** A router mounted on the one server, e.g. Slack's `ExpressReceiver.router` or Discord's interactions router. */
export interface WebMount {
  /** Mount path; omitted, the router sees every path (its own routes name the full path). */
  path?: string;
  router: express.Router | express.Application;
}

/** Everything the one HTTP server (docs/cli.md "HTTP endpoints") serves. */
export interface WebServerOptions {
  config: { port: number; adminToken?: string; metricsToken?: string };
  /** Interface to bind; all of them when omitted (containers need that). */
  host?: string;
  readiness?: Record<string, ReadinessCheck>;
  /** Per-check time limit of `/readyz`, 3 s by default. */
  readinessTimeoutMs?: number;
  metrics?: MetricsSource;
  /** Queues shown by Bull Board at `/admin/queues` (only when `config.adminToken` is set). */
  queues?: readonly Queue[];
  mounts?: readonly WebMount[];
  logger?: Logger;
}

/** The running server: `listen()` resolves the bound port (`config.port` may be 0). */
export interface WebServer {
  readonly app: express.Application;
  readonly server: Server;
  listen(): Promise<number>;
  /** Stops accepting connections; in-flight requests get `graceMs` (1 s by default) before their sockets are cut. */
  close(graceMs?: number): Promise<void>;
}

function operationalRoutes(options: WebServerOptions): express.Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Anyone can ask: the answer names each check and its state only. Reasons (hosts, ports, platform errors)
  // go to the log, once each time they change.
  const lastReasons = new Map<string, string>();
  router.get('/readyz', async (_req, res) => {
    const report = await checkReadiness(options.readiness ?? {}, options.readinessTimeoutMs);
    const checks: Record<string, 'ok' | 'failing'> = {};
    for (const [name, result] of Object.entries(report.checks)) {
      checks[name] = result === 'ok' ? 'ok' : 'failing';
      if (lastReasons.get(name) !== result && result !== 'ok')
        options.logger?.warn({ check: name, reason: result }, 'readiness check failing');
      lastReasons.set(name, result);
    }
    res.status(report.ready ? 200 : 503).json({
      status: report.ready ? 'ready' : 'not ready',
      checks,
      ...(report.ready ? {} : { failing: report.failing }),
    });
  });
  const metrics = options.metrics;
  if (metrics) {
    const token = options.config.metricsToken;
    router.get('/metrics', async (req, res) => {
      if (token !== undefined && !tokenMatches(bearerToken(req.headers.authorization) ?? '', token)) {
        res
          .status(401)
          .set('WWW-Authenticate', 'Bearer realm="psf-bot metrics"')
          .json({ error: 'unauthorized' });
        return;
      }
      const body = await metrics.metrics();
      res.set('Content-Type', metrics.contentType).send(body);
    });
  }
  return router;
}

/** The token of an `Authorization: Bearer …` header, or null. */
function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer ([^\r\n]{1,1000})$/i.exec(header ?? '');
  return match?.[1]?.trim() ?? null;
}

/** Builds the one express app and node server; nothing listens until `listen()`. */
export function createWebServer(options: WebServerOptions): WebServer {
  const app = express();
  app.disable('x-powered-by');
  // No global body parser: Slack and Discord verify signatures over the raw body, so each router parses its own.
  app.use(operationalRoutes(options));
  if (options.config.adminToken) {
    app.use(ADMIN_PATH, createAdminRouter(options.config.adminToken, options.queues ?? []));
  }
  for (const mount of options.mounts ?? []) {
    if (mount.path) app.use(mount.path, mount.router);
    else app.use(mount.router);
  }
  app.use((req, res) => {
    res.status(404).json({ error: 'not found', path: req.path });
  });
  app.use((error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (answerBadRequest(error, req, res, options.logger)) return;
    options.logger?.error({ err: error, path: req.path }, 'HTTP request failed');
    if (res.headersSent) return;
    res.status(500).json({ error: 'internal error' });
  });

  const server = createServer(app);
  return {
    app,
    server,
    listen: () =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.config.port, options.host, () => {
          server.off('error', reject);
          const port = (server.address() as AddressInfo).port;
          options.logger?.info({ port }, 'HTTP server listening');
          resolve(port);
        });
      }),
    close: (graceMs = 1_000) =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) {
          resolve();
          return;
        }
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close((error) => {
          clearTimeout(cut);
          if (error) reject(error);
          else resolve();
        });
        // Idle keep-alive sockets (Prometheus, load balancers) would otherwise hold close() open until they time out.
        server.closeIdleConnections();
      }),
  };
}
