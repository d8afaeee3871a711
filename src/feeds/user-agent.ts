import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * `psf-bot/<version> (+<homepage>)`, read once from the package's own package.json, found by walking up from
 * this file so it works from `src/` under tsx and from `dist/src/` after a build.
 */
export function defaultUserAgent(): string {
  cached ??= buildUserAgent();
  return cached;
}

function buildUserAgent(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = readPackage(candidate);
      if (pkg?.name === 'psf-bot') {
        return `psf-bot/${pkg.version ?? '0.0.0'}${pkg.homepage ? ` (+${pkg.homepage})` : ''}`;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return 'psf-bot/0.0.0';
    dir = parent;
  }
}

function readPackage(path: string): { name?: string; version?: string; homepage?: string } | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : null;
  } catch {
    return null;
  }
}
