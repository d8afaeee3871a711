#!/usr/bin/env node
// Runs the compiled CLI when a build exists (the Docker image), else the TypeScript sources through tsx,
// so `npx psf-bot …` works straight after `npm ci` with no build step.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../dist/jobs/cli.js', import.meta.url));
let cli;
if (existsSync(built)) {
  cli = await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../jobs/cli.ts', import.meta.url).href);
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
