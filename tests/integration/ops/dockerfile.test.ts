import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebServer, type WebServer } from '../../../jobs/web/server.js';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const dockerfile = read('Dockerfile');

/** The exec-form arguments of the Dockerfile's HEALTHCHECK (continuation lines joined). */
function healthcheckArgs(): string[] {
  const joined = dockerfile.replace(/\\\n/g, ' ');
  const match = /^HEALTHCHECK .*?CMD (\[.*\])\s*$/m.exec(joined);
  if (!match?.[1]) throw new Error('no exec-form HEALTHCHECK in Dockerfile');
  return JSON.parse(match[1]) as string[];
}

/** Runs the health check as Docker would, with `node` being this Node; resolves its exit code. */
function runHealthcheck(port: number): Promise<number | null> {
  const [command, ...args] = healthcheckArgs();
  expect(command).toBe('node');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', PORT: String(port) },
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}

let web: WebServer;
let port: number;

beforeAll(async () => {
  web = createWebServer({ config: { port: 0 }, host: '127.0.0.1' });
  port = await web.listen();
});

afterAll(async () => {
  await web.close();
});

describe('Dockerfile HEALTHCHECK', () => {
  it('exits 0 when /healthz answers', async () => {
    expect(await runHealthcheck(port)).toBe(0);
  });

  it('exits 1 when nothing listens', async () => {
    const closed = createWebServer({ config: { port: 0 }, host: '127.0.0.1' });
    const closedPort = await closed.listen();
    await closed.close();
    expect(await runHealthcheck(closedPort)).toBe(1);
  });

  it('is the same probe docker-compose.yml runs', () => {
    const script = healthcheckArgs()[2]!;
    expect(read('docker-compose.yml')).toContain(`- "${script}"`);
  });
});

describe('Dockerfile build stages', () => {
  it('builds on Node 22 slim, prunes dev dependencies and runs as the node user', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-[a-z]+-slim$/m);
    expect(dockerfile).toMatch(/RUN npm ci /);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^EXPOSE 3000$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "bin\/psf-bot.js", "start"\]$/m);
  });

  it('copies only paths that exist and that .dockerignore lets through', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#') && !line.startsWith('!'));
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) =>
      match[1]!.split(' '),
    );
    expect(sources).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'jobs', 'bin']),
    );
    for (const source of sources) {
      expect(existsSync(new URL(source, root)), source).toBe(true);
      expect(ignored, source).not.toContain(source);
    }
    const buildIncludes = (JSON.parse(read('tsconfig.build.json')) as { include: string[] }).include;
    expect(sources).toEqual(expect.arrayContaining(buildIncludes));
  });
});
