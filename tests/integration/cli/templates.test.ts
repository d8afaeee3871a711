import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, expectOnePlainLine, REDIS_URL, runCli, uniquePrefix } from '../../helpers/cli.js';
import { archivePage } from '../../helpers/fixtures.js';

// Designing a look without a channel: `preview` with a template and style, and `ask` subscribing the local
// channel with them and showing, with `--platform`, the body `test` would post there.

const NEWEST = archivePage(1);
const prefix = uniquePrefix('cli-templates');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const env = { REDIS_PREFIX: prefix, PSF_FEEDS: `psf=${NEWEST}` };
const TEMPLATE = 'New: {{title}} by {{author||feed}}';
const EXPECTED = "New: Python is for Everyone: Inside the PSF's D&I Work Group by Georgi Ker";

type Component = { type: number; content?: string; components?: Component[] };

beforeAll(async () => {
  const polled = await runCli(['poll', '--once', '--json'], env);
  expect(polled.code, polled.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

describe('preview --template --style', () => {
  it('prints the Slack card payload with the template in the first section', async () => {
    const args = ['preview', NEWEST, '--limit', '1', '--platform', 'slack', '--style', 'card'];
    const result = await runCli([...args, '--template', TEMPLATE, '--json'], {});
    expect(result.code, result.stderr).toBe(0);
    const [item] = JSON.parse(result.stdout) as {
      payload: { blocks: { type: string; text?: { text: string } }[] };
    }[];
    expect(item!.payload.blocks.map((block) => block.type)).toEqual(['section', 'card']);
    expect(item!.payload.blocks[0]!.text!.text).toBe(EXPECTED.replace('&', '&amp;'));
  });

  it('refuses an unknown placeholder and another platform’s style as usage errors', async () => {
    const unknown = await runCli(['preview', NEWEST, '--template', '{{headline}}'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown placeholder `{{headline}}`');
    const style = await runCli(['preview', NEWEST, '--platform', 'discord', '--style', 'card'], {});
    expect(style.code).toBe(2);
    expectOnePlainLine(style.stderr);
    expect(style.stderr).toContain('`embed` or `components`');
  });
});

describe('ask: subscribe with a template and style, then test --platform', () => {
  it('stores them and shows the Components V2 body the test announcement would be', async () => {
    const subscribed = await runCli(['ask', `subscribe template "${TEMPLATE}" style components`], env);
    expect(subscribed.code, subscribed.stderr).toBe(0);
    expect(subscribed.stdout).toContain(`in the components style, with the template “${TEMPLATE}”`);

    const result = await runCli(['ask', 'test', '--platform', 'discord', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const reply = JSON.parse(result.stdout) as {
      kind: string;
      announcement: { flags: number; components: Component[] };
    };
    expect(reply.kind).toBe('text');
    expect(reply.announcement.flags).toBe(32768);
    expect(reply.announcement.components[0]!.components![0]).toEqual({ type: 10, content: EXPECTED });

    const refused = await runCli(['ask', 'subscribe template "{{title"'], env);
    expect(refused.code).toBe(2);
    expectOnePlainLine(refused.stderr);
  });
});
