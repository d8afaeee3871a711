import { createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest, Agent } from 'node:http';
import express from 'express';
import { ExpressReceiver } from '@slack/bolt';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebServer, type WebServer, type WebServerOptions } from '../../../jobs/web/server.js';
import { Metrics } from '../../../jobs/metrics.js';
import { createLogger } from '../../../src/logger.js';
import { TEST_REDIS_URL } from '../../helpers/test-redis.js';

const prefix = `test-ops-web-${randomBytes(4).toString('hex')}`;
const TOKEN = 'correct horse battery staple';
const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
const queues = ['poll', 'announce'].map((name) => new Queue(name, { connection: redis, prefix }));
const running: WebServer[] = [];

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function start(options: Partial<WebServerOptions> = {}): Promise<string> {
  const web = createWebServer({ config: { port: 0 }, host: '127.0.0.1', ...options });
  running.push(web);
  const port = await web.listen();
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  await queues[0]!.add('poll-psf', { feed: 'psf' });
});

afterAll(async () => {
  await Promise.all(running.map((web) => web.close()));
  await Promise.all(queues.map((queue) => queue.obliterate({ force: true }).then(() => queue.close())));
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('health and readiness', () => {
  it('answers /healthz with 200 while the process is alive', async () => {
    const base = await start();
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('is ready with 200 and every check result when all checks pass', async () => {
    const base = await start({
      readiness: { redis: async () => (await redis.ping()) === 'PONG', workers: async () => true },
    });
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { redis: 'ok', workers: 'ok' } });
  });

  it('answers 503 naming each check that is not ready, whether it says false, a reason, throws or hangs', async () => {
    const lines: string[] = [];
    const base = await start({
      logger: createLogger('info', { stream: { write: (line: string) => void lines.push(line) } }),
      readinessTimeoutMs: 200,
      readiness: {
        redis: async () => true,
        workers: async () => false,
        discord: async () => 'gateway not connected',
        slack: async () => {
          throw new Error('auth.test failed: invalid_auth');
        },
        hung: () => new Promise<boolean>(() => {}),
      },
    });
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as {
      status: string;
      checks: Record<string, string>;
      failing: string[];
    };
    expect(body.status).toBe('not ready');
    expect(body.failing.sort()).toEqual(['discord', 'hung', 'slack', 'workers']);
    // Anyone may ask: names and states only; the reasons (hosts, ports, platform errors) go to the log.
    expect(body.checks).toEqual({
      redis: 'ok',
      workers: 'failing',
      discord: 'failing',
      slack: 'failing',
      hung: 'failing',
    });
    expect(JSON.stringify(body)).not.toMatch(/invalid_auth|gateway|no answer/);
    const logged = lines.join('\n');
    expect(logged).toContain('auth.test failed: invalid_auth');
    expect(logged).toMatch(/no answer within 200 ms/);
  });
});

describe('/metrics', () => {
  it('serves the registry in Prometheus text format', async () => {
    const metrics = new Metrics();
    metrics.recordPoll('psf', 200);
    const base = await start({ metrics: metrics.registry });
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('psf_polls_total{feed="psf",outcome="200"} 1');
    expect(text).toContain('psf_process_cpu_user_seconds_total');
  });

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const metrics = new Metrics();
    metrics.recordPoll('psf', 200);
    const base = await start({ config: { port: 0, metricsToken: TOKEN }, metrics: metrics.registry });
    for (const authorization of [
      undefined,
      'Bearer wrong',
      `Bearer ${TOKEN.slice(0, 7)}`,
      basic('x', TOKEN),
    ]) {
      const refused = await fetch(`${base}/metrics`, authorization ? { headers: { authorization } } : {});
      expect(refused.status).toBe(401);
      expect(await refused.text()).not.toContain('psf_polls_total');
    }
    const allowed = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('psf_polls_total{feed="psf",outcome="200"} 1');
  });
});

describe('/admin/queues', () => {
  it('does not exist without ADMIN_TOKEN', async () => {
    const base = await start({ queues });
    const response = await fetch(`${base}/admin/queues`, {
      headers: { authorization: basic('admin', TOKEN) },
    });
    expect(response.status).toBe(404);
  });

  it('refuses a request without credentials with 401 and a basic-auth challenge', async () => {
    const base = await start({ config: { port: 0, adminToken: TOKEN }, queues });
    const response = await fetch(`${base}/admin/queues`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });

  it('refuses a wrong password, a prefix of the token and a malformed header', async () => {
    const base = await start({ config: { port: 0, adminToken: TOKEN }, queues });
    for (const authorization of [
      basic('admin', 'wrong'),
      basic('admin', TOKEN.slice(0, -1)),
      'Bearer x',
      basic(TOKEN, ''),
    ]) {
      const response = await fetch(`${base}/admin/queues/api/queues`, { headers: { authorization } });
      expect(response.status, authorization).toBe(401);
    }
  });

  it('serves the dashboard and its API with the token as password under any user name', async () => {
    const base = await start({ config: { port: 0, adminToken: TOKEN }, queues });
    const page = await fetch(`${base}/admin/queues`, { headers: { authorization: basic('anyone', TOKEN) } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const api = await fetch(`${base}/admin/queues/api/queues`, {
      headers: { authorization: basic('', TOKEN) },
    });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: Array<{ name: string }> };
    expect(body.queues.map((queue) => queue.name).sort()).toEqual(['announce', 'poll']);
  });
});

describe('mounted routers and the rest', () => {
  it('passes /slack and /discord to their routers beside the dashboard, and answers JSON 404 elsewhere', async () => {
    const slack = express.Router();
    slack.post('/slack/events', express.text({ type: '*/*' }), (req, res) => {
      res.json({ slack: req.body });
    });
    const discord = express.Router();
    discord.post('/interactions', (_req, res) => {
      res.json({ discord: true });
    });
    const base = await start({
      config: { port: 0, adminToken: TOKEN },
      queues,
      mounts: [{ router: slack }, { path: '/discord', router: discord }],
    });
    const raw = 'token=x&command=%2Fpsf';
    const slackAnswer = await fetch(`${base}/slack/events`, { method: 'POST', body: raw });
    expect(await slackAnswer.json()).toEqual({ slack: raw });
    const discordAnswer = await fetch(`${base}/discord/interactions`, { method: 'POST', body: '{}' });
    expect(await discordAnswer.json()).toEqual({ discord: true });
    const missing = await fetch(`${base}/nothing/here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not found', path: '/nothing/here' });
  });
});

describe('sharing the server with Bolt', () => {
  it("hands Slack's ExpressReceiver the raw body, so its signature check passes or fails as it should", async () => {
    const signingSecret = 'slack-signing-secret';
    const receiver = new ExpressReceiver({ signingSecret });
    const base = await start({
      config: { port: 0, adminToken: TOKEN },
      queues,
      mounts: [{ router: receiver.router }],
    });
    const body = JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 'x' });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    const post = (sig: string) =>
      fetch(`${base}/slack/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': timestamp,
          'x-slack-signature': sig,
        },
        body,
      });
    const signed = await post(signature);
    expect(signed.status).toBe(200);
    expect(await signed.json()).toEqual({ challenge: 'c-123' });
    expect((await post(`v0=${'0'.repeat(64)}`)).status).toBe(401);
  });
});

describe('listen and close', () => {
  it('binds port 0 to a free port and closes even with a keep-alive connection open', async () => {
    const web = createWebServer({ config: { port: 0 }, host: '127.0.0.1' });
    const port = await web.listen();
    expect(port).toBeGreaterThan(0);
    const agent = new Agent({ keepAlive: true });
    const status = await new Promise<number>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
    await web.close();
    expect(web.server.listening).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    agent.destroy();
  });
});
