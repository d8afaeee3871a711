import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../../src/config.js';

// docs/cli.md is the configuration contract: every variable the config schema reads is in one of its tables,
// and every variable its tables list is read.

const doc = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8');

/** The variables named in the first column of docs/cli.md's tables. */
function documented(): string[] {
  const names = new Set<string>();
  for (const line of doc.split('\n')) {
    const first = /^\|([^|]*)\|/.exec(line)?.[1] ?? '';
    for (const match of first.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(match[1]!);
  }
  return [...names].sort();
}

describe('docs/cli.md lists the configuration', () => {
  it('names every variable the config schema reads, and no other', () => {
    expect(documented()).toEqual([...CONFIG_VARIABLES].sort());
  });
});
