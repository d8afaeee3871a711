import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PeerUrls } from '../fakes/peer.js';
import type { PlatformStats } from '../fakes/platform-stats.js';

const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));
const PEER = fileURLToPath(new URL('../fakes/peer.ts', import.meta.url));

/** The peer process (limited fakes and feed host) as the bench drives it. */
export interface Peer {
  urls: PeerUrls;
  /** The peer process, for its CPU use. */
  pid: number | undefined;
  stats(platform: 'discord' | 'slack'): Promise<PlatformStats>;
  reset(platform: 'discord' | 'slack'): Promise<void>;
  /** Serves the other version of a flipping feed (`changing`, `page150`); resolves once it is served. */
  flip(feed: 'changing' | 'page150'): Promise<void>;
  /** Resolves once `platform` has accepted `count` messages, or after `timeoutMs` with what it has. */
  waitForAccepted(platform: 'discord' | 'slack', count: number, timeoutMs: number): Promise<PlatformStats>;
  stop(): Promise<void>;
}

/** Forks the peer and waits for its URLs. */
export async function startPeer(): Promise<Peer> {
  const child = fork(RUN_TS, [PEER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const urls = await new Promise<PeerUrls>((resolve, reject) => {
    child.once('message', (message) => resolve(message as PeerUrls));
    child.once('exit', (code) => reject(new Error(`bench peer exited early (${code})`)));
  });
  const call = async (path: string, method = 'GET') => {
    const response = await fetch(`${urls.control}${path}`, { method });
    return response.json() as Promise<unknown>;
  };
  const stats = (platform: 'discord' | 'slack') => call(`/${platform}/stats`) as Promise<PlatformStats>;
  return {
    urls,
    pid: child.pid,
    stats,
    reset: async (platform) => void (await call(`/${platform}/reset`, 'POST')),
    flip: async (feed) => void (await call(`/flip/${feed}`, 'POST')),
    async waitForAccepted(platform, count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = await stats(platform);
        if (seen.accepted >= count || Date.now() >= deadline) return seen;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop: () => stopChild(child),
  };
}

/** Ends a child we started: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
