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
process.exit(await cli.main(process.argv.slice(2)));
