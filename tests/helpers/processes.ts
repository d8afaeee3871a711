import type { ChildProcess } from 'node:child_process';
import { childEnv, spawnPsfBot } from './cli.js';

/** One JSON log line of a child (pino). */
export type LogLine = Record<string, unknown> & { msg?: string };

/** How a stopped child ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running `psf-bot start` child. */
export interface BotProcess {
  name: string;
  child: ChildProcess;
  /** The HTTP port it bound (from its "psf-bot started" log line). */
  port: number;
  /** Everything it printed on stdout so far: console announcements and JSON log lines. */
  stdout(): string;
  stderr(): string;
  /** Its JSON log lines so far. */
  logs(): LogLine[];
  /** SIGTERM (or `signal`) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
}

function parseLogs(text: string): LogLine[] {
  const logs: LogLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      logs.push(JSON.parse(line) as LogLine);
    } catch {
      // A console announcement can start with "{" only if a title does; not a log line.
    }
  }
  return logs;
}

/** Polls `check` every 50 ms until it holds; throws naming `what` (and `context()`) after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
  context: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** How many times `needle` occurs in `text`. */
export function occurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count += 1;
  return count;
}

/** Starts and tracks `psf-bot start` children, so a test file can kill every one of them afterwards. */
export class BotProcesses {
  private readonly running: BotProcess[] = [];

  /** Spawns `psf-bot start --role <role>` and resolves once it logged "psf-bot started". */
  async start(
    name: string,
    role: string,
    env: Record<string, string>,
    timeoutMs = 30_000,
  ): Promise<BotProcess> {
    const child = spawnPsfBot(['start', '--role', role], childEnv({ LOG_LEVEL: 'info', ...env }));
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const bot: BotProcess = {
      name,
      child,
      port: 0,
      stdout: () => out,
      stderr: () => err,
      logs: () => parseLogs(out),
      stop: async (signal = 'SIGTERM') => {
        const exit = exitOf(child);
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exit;
      },
    };
    this.running.push(bot);
    const started = () => bot.logs().find((line) => line.msg === 'psf-bot started');
    await waitFor(
      () => started() !== undefined || child.exitCode !== null,
      `${name} (${role}) to start`,
      timeoutMs,
      () => `stdout:\n${out}\nstderr:\n${err}`,
    );
    const line = started();
    if (!line) throw new Error(`${name} exited with ${child.exitCode} before starting:\n${out}\n${err}`);
    bot.port = Number(line.port);
    return bot;
  }

  /** SIGKILLs every child still running and waits until each is gone. */
  async killAll(): Promise<void> {
    await Promise.all(this.running.map((bot) => bot.stop('SIGKILL')));
    this.running.length = 0;
  }
}

/** GETs `path` on a child's HTTP server. */
export async function httpGet(bot: BotProcess, path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${bot.port}${path}`);
  return { status: response.status, text: await response.text() };
}
