// Writes manifest.yml from adapters/slack/manifest.ts (its bot scopes from adapters/slack/scopes.ts).
// Run with `npm run manifest` after changing the scope list.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSlackManifest } from '../adapters/slack/manifest.js';

const target = fileURLToPath(new URL('../manifest.yml', import.meta.url));
writeFileSync(target, renderSlackManifest());
console.log(`wrote ${target}`);
