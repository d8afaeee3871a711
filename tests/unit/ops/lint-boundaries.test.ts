import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The lint rules that keep one call path per platform and the deliver job's imports one-way can fail: each
// is shown failing on a violating file and passing on the real one.

const root = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

async function problems(path: string, text: string): Promise<{ rule: string | null; message: string }[]> {
  const [result] = await eslint.lintText(text, { filePath: `${root}${path}` });
  return (result?.messages ?? []).map((message) => ({ rule: message.ruleId, message: message.message }));
}

const ONE_PATH = /client layer/;

describe('one call path per platform (eslint.config.js)', () => {
  it.each([
    [
      'adapters/discord/violation.ts',
      "import { REST } from 'discord.js';\nexport const rest = new REST();\n",
    ],
    ['jobs/violation.ts', "import { REST } from 'discord.js';\nexport const rest = new REST();\n"],
    [
      'adapters/discord/violation.ts',
      "import { REST } from '@discordjs/rest';\nexport const rest = new REST();\n",
    ],
    [
      'adapters/discord/violation.ts',
      "import type { Client } from 'discord.js';\nexport const me = (bot: { client: Client }) => bot.client.rest.get('/users/@me');\n",
    ],
    [
      'adapters/slack/violation.ts',
      "import { webApi } from '@slack/bolt';\nexport const web = new webApi.WebClient('xoxb');\n",
    ],
    [
      'adapters/slack/violation.ts',
      "import type { webApi } from '@slack/bolt';\nexport const post = (client: webApi.WebClient) => client.chat.postMessage({ channel: 'C1', text: 'hi' });\n",
    ],
    [
      'jobs/violation.ts',
      "import { WebClient } from '@slack/web-api';\nexport const web = new WebClient();\n",
    ],
  ])('refuses a raw platform client in %s', async (path, text) => {
    const found = await problems(path, text);
    expect(found.some((problem) => ONE_PATH.test(problem.message))).toBe(true);
  });

  it.each(['adapters/discord/client.ts', 'adapters/slack/client.ts'])('allows it in %s', async (path) => {
    expect(await problems(path, read(path))).toEqual([]);
  });
});

describe("the deliver job's imports go one way (import-x/no-cycle on jobs/delivery)", () => {
  const path = 'jobs/delivery/load-target.ts';

  it('passes on the real files', async () => {
    expect(await problems(path, read(path))).toEqual([]);
  });

  it('fails when a step imports the processor back at run time', async () => {
    const text = `import { createDeliverProcessor } from './deliver.js';\nexport const again = createDeliverProcessor;\n${read(path)}`;
    expect((await problems(path, text)).map((problem) => problem.rule)).toContain('import-x/no-cycle');
  });

  it('ignores a type-only import back', async () => {
    const text = `import type { DeliverOutcome } from './deliver.js';\nexport type Again = DeliverOutcome;\n${read(path)}`;
    expect(await problems(path, text)).toEqual([]);
  });
});
