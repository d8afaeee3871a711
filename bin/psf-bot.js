#!/usr/bin/env node
// Runs the TypeScript sources through tsx whenever they are here (a clone: `npx psf-bot …` works straight after
// `npm ci`, and an edit takes effect at once, however old a `dist/` from an earlier `npm run build` is). Only
// where the sources are absent, as in the Docker image, which ships `dist/` and not `jobs/`, does the compiled
// CLI run. So a stale build can never stand in for the sources, in the CLI or in the tests that spawn it.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const sources = new URL('../jobs/cli.ts', import.meta.url);
const built = fileURLToPath(new URL('../dist/jobs/cli.js', import.meta.url));
let cli;
if (existsSync(fileURLToPath(sources)) || !existsSync(built)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(sources.href);
} else {
  cli = await import(pathToFileURL(built).href);
}

/**
 * Resolves once everything written to `stream` so far has left the process. A pipe holds 64 KiB: what does
 * not fit waits in Node's buffer, and `process.exit` would drop it (`preview big.xml --json | jq` got half).
 * A reader that went away (EPIPE, `| head`) ends the wait too.
 */
function drained(stream) {
  return new Promise((resolve) => {
    stream.once('error', () => resolve());
    if (stream.destroyed || !stream.writable) resolve();
    else stream.write('', () => resolve());
  });
}

const status = await cli.main(process.argv.slice(2));
process.exitCode = status;
await Promise.all([drained(process.stdout), drained(process.stderr)]);
// Lingering sockets or timers of a library must not keep a finished command alive.
process.exit(status);
