import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { figure, atMost, type Figure } from '../lib/figures.js';
import { startProduct } from '../lib/product.js';
import { baseEnv } from '../lib/pipeline.js';
import { withPrefix } from '../lib/redis.js';

/**
 * Publish-to-channel latency at the product's defaults (`npm run bench -- --only latency`, opt-in: about ten
 * minutes). `psf-bot start` runs with no POLL_INTERVAL set (the default, 1 minute) on the console platform
 * against a local feed host that answers conditional requests with 304. Twenty posts are published at random
 * moments of a ten-minute window; each one's latency is from its publication to its announcement on the
 * bot's stdout. The feed host counts what one instance costs it: requests answering 200 and 304, and bytes,
 * while publishing and over a quiet spell after it.
 */
export async function publishLatency(): Promise<Figure[]> {
  const windowMs = Number(process.env.BENCH_LATENCY_WINDOW_S ?? 600) * 1000;
  const posts = Number(process.env.BENCH_LATENCY_POSTS ?? 20);
  const random = mulberry32(Number(process.env.BENCH_LATENCY_SEED ?? 7));
  const host = await startHost();
  try {
    return await withPrefix('latency', async (_redis, prefix) => {
      // No POLL_INTERVAL: the default is what is measured.
      const bot = await startProduct('all', { ...baseEnv(prefix), PSF_FEEDS: `psf=${host.url}` });
      try {
        await until(() => host.counts[200] > 0, 90_000, 'the first poll');
        const started = Date.now();
        const baseline = { ...host.counts, bytes: host.bytes };
        const moments = Array.from({ length: posts }, () => random() * windowMs).sort((a, b) => a - b);
        const latencies: number[] = [];
        const pending = new Map<string, number>();
        const watch = setInterval(() => {
          const output = bot.output();
          for (const [title, at] of pending)
            if (output.includes(`📣 ${title}`)) {
              latencies.push((Date.now() - at) / 1000);
              pending.delete(title);
            }
        }, 100);
        try {
          for (const [i, moment] of moments.entries()) {
            await sleep(started + moment - Date.now());
            const title = `Latency post ${i + 1} ${Math.floor(random() * 1e9).toString(36)}`;
            pending.set(title, host.publish(title));
            progress(`latency: published ${i + 1}/${posts} at ${Math.round(moment / 1000)} s`);
          }
          await sleep(started + windowMs - Date.now());
          const hourFactor = 3_600_000 / (Date.now() - started);
          const perHour = {
            ok: (host.counts[200] - baseline[200]) * hourFactor,
            notModified: (host.counts[304] - baseline[304]) * hourFactor,
            bytes: (host.bytes - baseline.bytes) * hourFactor,
          };
          await until(() => pending.size === 0, 180_000, 'the last announcements').catch((error: Error) =>
            progress(`latency: ${error.message}; ${pending.size} never announced`),
          );
          // Then a quiet spell, nothing published: what an instance costs the host on an ordinary hour.
          const quietMs = Number(process.env.BENCH_LATENCY_QUIET_S ?? 300) * 1000;
          const quietFrom = { at: Date.now(), ...host.counts, bytes: host.bytes };
          await sleep(quietMs);
          const quietFactor = 3_600_000 / (Date.now() - quietFrom.at);
          const quiet = {
            requests: (host.counts[200] + host.counts[304] - quietFrom[200] - quietFrom[304]) * quietFactor,
            notModified: (host.counts[304] - quietFrom[304]) * quietFactor,
            bytes: (host.bytes - quietFrom.bytes) * quietFactor,
          };
          const note = `${latencies.length}/${posts} posts over ${windowMs / 60_000} min at the default POLL_INTERVAL`;
          const quietNote = `nothing published for ${quietMs / 60_000} min, scaled to an hour`;
          return [
            figure('publish_to_channel_p50_s', percentile(latencies, 50), 's', {
              goal: atMost(45),
              note,
              digits: 1,
            }),
            figure('publish_to_channel_p95_s', percentile(latencies, 95), 's', {
              goal: atMost(75),
              note,
              digits: 1,
            }),
            figure('feed_requests_per_hour_200', perHour.ok, 'req/h', { digits: 0 }),
            figure('feed_requests_per_hour_304', perHour.notModified, 'req/h', { digits: 0 }),
            figure('feed_bytes_per_hour', perHour.bytes, 'B/h', {
              digits: 0,
              note: 'while publishing; both directions, headers included, one connection per request',
            }),
            figure('feed_quiet_requests_per_hour', quiet.requests, 'req/h', { digits: 0, note: quietNote }),
            figure('feed_quiet_304_per_hour', quiet.notModified, 'req/h', { digits: 0, note: quietNote }),
            figure('feed_quiet_bytes_per_hour', quiet.bytes, 'B/h', { digits: 0, note: quietNote }),
          ];
        } finally {
          clearInterval(watch);
        }
      } finally {
        await bot.stop();
      }
    });
  } finally {
    await host.close();
  }
}

interface Host {
  url: string;
  counts: Record<200 | 304, number>;
  bytes: number;
  /** Adds a post dated now on top of the feed; returns when. */
  publish(title: string): number;
  close(): Promise<void>;
}

/** A feed host that answers If-None-Match with 304 and counts each connection's bytes both ways. */
async function startHost(): Promise<Host> {
  const items: string[] = [];
  for (let i = 0; i < 10; i += 1)
    items.push(item(`Earlier post ${i + 1}`, new Date(Date.now() - (i + 1) * 86_400_000)));
  let body = '';
  let etag = '';
  const render = () => {
    body = `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Latency</title><link>https://latency.invalid/</link><description>bench</description>${items.join('')}</channel></rss>`;
    etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
  };
  render();
  const host: Host = {
    url: '',
    counts: { 200: 0, 304: 0 },
    bytes: 0,
    publish(title) {
      const now = new Date();
      items.unshift(item(title, now));
      render();
      return now.getTime();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    req.socket.once('close', () => (host.bytes += req.socket.bytesRead + req.socket.bytesWritten));
    if (req.headers['if-none-match'] === etag) {
      host.counts[304] += 1;
      return void res.writeHead(304, { etag }).end();
    }
    host.counts[200] += 1;
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rss.xml`;
  return host;
}

function item(title: string, at: Date): string {
  const link = `https://latency.invalid/${encodeURIComponent(title)}`;
  return `<item><title>${title}</title><link>${link}</link><guid>${link}</guid><description>News.</description><pubDate>${at.toUTCString()}</pubDate></item>`;
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Progress on stderr, so stdout holds only figures. */
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** A small seeded generator, so a run's publication moments can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
