import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../src/config.js';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** The variable names the config schema reads (the keys of `z.object({...})` in src/config.ts). */
function schemaVariables(): string[] {
  const source = read('src/config.ts');
  const body = source.slice(source.indexOf('z.object({'));
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1]!);
}

/** `NAME=value` lines of .env.example, commented out or not. */
function documented(uncommentAll: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of read('.env.example').split('\n')) {
    const match = (uncommentAll ? /^#?\s?([A-Z][A-Z0-9_]+)=(.*)$/ : /^([A-Z][A-Z0-9_]+)=(.*)$/).exec(line);
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}

const withoutRedisSource = (config: Config) => ({ ...config, redis: { ...config.redis, explicit: null } });

describe('.env.example', () => {
  it('documents every variable of the config schema and of docs/cli.md', () => {
    const names = Object.keys(documented(true));
    const schema = schemaVariables();
    expect(schema.length).toBeGreaterThan(20);
    expect(schema.filter((name) => !names.includes(name))).toEqual([]);
    const cli = read('docs/cli.md');
    const cliNames = [...cli.matchAll(/`([A-Z][A-Z0-9_]+)`/g)]
      .map((match) => match[1]!)
      .filter((name) => name.includes('_') || name === 'PORT');
    expect(cliNames.filter((name) => !names.includes(name))).toEqual([]);
    expect(names.filter((name) => !schema.includes(name))).toEqual([]);
  });

  it('loads as it is, and shows the real defaults: uncommenting every line changes nothing', () => {
    const asShipped = loadConfig(documented(false));
    const uncommented = loadConfig(documented(true));
    expect(withoutRedisSource(uncommented)).toEqual(withoutRedisSource(loadConfig({})));
    expect(withoutRedisSource(asShipped)).toEqual(withoutRedisSource(loadConfig({})));
  });
});

describe('docker-compose.yml', () => {
  const compose = read('docker-compose.yml');

  it('runs Redis with AOF and noeviction on a named volume, and points the bot at it', () => {
    expect(compose).toMatch(/image: redis:7/);
    expect(compose).toMatch(/'--appendonly', 'yes'/);
    expect(compose).toMatch(/'--maxmemory-policy', 'noeviction'/);
    expect(compose).toMatch(/- redis-data:\/data/);
    expect(compose).toMatch(/^volumes:\n {2}redis-data:/m);
    expect(compose).toMatch(/REDIS_URL: redis:\/\/redis:6379/);
    expect(compose).toMatch(/env_file: \.env/);
    expect(compose).toMatch(/restart: unless-stopped/);
  });
});
