#!/usr/bin/env node
// Runs one TypeScript entry point (benchmarks, child processes in tests) through tsx.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: run-ts.js <file.ts> [args…]');
  process.exit(2);
}
process.argv = [process.argv[0], resolve(entry), ...rest];
const { register } = await import('tsx/esm/api');
register();
await import(pathToFileURL(resolve(entry)).href);
