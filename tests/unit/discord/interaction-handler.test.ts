import { describe, expect, it } from 'vitest';
import {
  DiscordInteractionHandler,
  type InteractionResponder,
} from '../../../adapters/discord/interaction-handler.js';
import type { DiscordInvocation } from '../../../adapters/discord/invocation.js';
import type { CommandContext, CommandRequest, CommandService, Reply } from '../../../src/commands/types.js';

function invocation(overrides: Partial<DiscordInvocation>): DiscordInvocation {
  return {
    kind: 'command',
    id: '1',
    token: 'tok',
    applicationId: '2',
    commandName: 'psf',
    subcommand: 'help',
    options: {},
    focused: null,
    guildId: '3',
    channelId: '4',
    userId: '5',
    permissions: 0n,
    guildInstalled: true,
    ...overrides,
  };
}

function recorder() {
  const calls: { kind: 'respond' | 'edit'; body: unknown }[] = [];
  const responder: InteractionResponder = {
    respond: async (body) => void calls.push({ kind: 'respond', body }),
    editOriginal: async (body) => void calls.push({ kind: 'edit', body }),
  };
  return { calls, responder };
}

class ScriptedCommands implements CommandService {
  readonly seen: { request: CommandRequest; context: CommandContext }[] = [];
  constructor(
    private readonly answer: () => Promise<Reply> = async () => ({ kind: 'text', text: 'ok' }),
    private readonly tags: string[] = [],
  ) {}
  async handle(request: CommandRequest, context: CommandContext): Promise<Reply> {
    this.seen.push({ request, context });
    return this.answer();
  }
  async suggestTags(partial: string, limit: number): Promise<string[]> {
    return this.tags.filter((tag) => tag.startsWith(partial)).slice(0, limit);
  }
}

describe('DiscordInteractionHandler', () => {
  it('answers a fast command in the first response, privately unless share is set', async () => {
    const commands = new ScriptedCommands();
    const handler = new DiscordInteractionHandler({ commands });
    const { calls, responder } = recorder();
    await handler.handle(invocation({ subcommand: 'latest', options: { count: 2 } }), responder);
    await handler.handle(invocation({ subcommand: 'latest', options: { share: true } }), responder);
    expect(calls).toEqual([
      {
        kind: 'respond',
        body: { type: 4, data: { content: 'ok', flags: 64, allowed_mentions: { parse: [] } } },
      },
      { kind: 'respond', body: { type: 4, data: { content: 'ok', allowed_mentions: { parse: [] } } } },
    ]);
    expect(commands.seen[0]?.request).toEqual({ name: 'latest', count: 2, share: false });
  });

  it('defers when the answer is not ready in time, then edits @original without flags', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const commands = new ScriptedCommands(async () => {
      await gate;
      return { kind: 'text', text: 'slow answer' };
    });
    const handler = new DiscordInteractionHandler({ commands, deferAfterMs: 1 });
    const { calls, responder } = recorder();
    const done = handler.handle(invocation({ subcommand: 'status' }), responder);
    await vitestUntil(() => calls.length === 1);
    expect(calls[0]).toEqual({ kind: 'respond', body: { type: 5, data: { flags: 64 } } });
    release();
    await done;
    expect(calls[1]).toEqual({
      kind: 'edit',
      body: { content: 'slow answer', allowed_mentions: { parse: [] } },
    });
  });

  it('refuses invalid options with a private error and never calls the core', async () => {
    const commands = new ScriptedCommands();
    const handler = new DiscordInteractionHandler({ commands });
    const { calls, responder } = recorder();
    await handler.handle(invocation({ subcommand: 'latest', options: { count: 50 } }), responder);
    expect(calls[0]?.body).toMatchObject({
      type: 4,
      data: { content: expect.stringMatching(/^⚠️ .*1 to 10/), flags: 64 },
    });
    expect(commands.seen).toHaveLength(0);
  });

  it('passes canManage from the member permissions', async () => {
    const commands = new ScriptedCommands();
    const handler = new DiscordInteractionHandler({ commands });
    const { responder } = recorder();
    await handler.handle(invocation({ subcommand: 'subscribe', permissions: 1n << 4n }), responder);
    await handler.handle(invocation({ subcommand: 'subscribe', permissions: 1n << 11n }), responder);
    expect(commands.seen.map((call) => call.context.canManage)).toEqual([true, false]);
  });

  it('autocompletes tags with at most 25 unique choices of at most 100 characters', async () => {
    const tags = [
      ...Array.from({ length: 40 }, (_, i) => `grant ${i}`),
      'grant 1',
      `grant ${'x'.repeat(120)}`,
    ];
    const handler = new DiscordInteractionHandler({ commands: new ScriptedCommands(undefined, tags) });
    const { calls, responder } = recorder();
    await handler.handle(
      invocation({
        kind: 'autocomplete',
        subcommand: 'tag',
        options: { tag: 'gr' },
        focused: { name: 'tag', value: 'gr' },
      }),
      responder,
    );
    const body = calls[0]?.body as { type: number; data: { choices: { name: string; value: string }[] } };
    expect(body.type).toBe(8);
    expect(body.data.choices.length).toBeLessThanOrEqual(25);
    expect(new Set(body.data.choices.map((choice) => choice.value)).size).toBe(body.data.choices.length);
    expect(body.data.choices.every((choice) => choice.name.length <= 100 && choice.value.length <= 100)).toBe(
      true,
    );
  });

  it('answers autocomplete of other options with no choices', async () => {
    const handler = new DiscordInteractionHandler({ commands: new ScriptedCommands(undefined, ['grants']) });
    const { calls, responder } = recorder();
    await handler.handle(
      invocation({ kind: 'autocomplete', subcommand: 'latest', focused: { name: 'feed', value: '' } }),
      responder,
    );
    expect(calls[0]?.body).toEqual({ type: 8, data: { choices: [] } });
  });

  it('still answers when the core throws', async () => {
    const handler = new DiscordInteractionHandler({
      commands: new ScriptedCommands(async () => {
        throw new Error('boom');
      }),
    });
    const { calls, responder } = recorder();
    await handler.handle(invocation({ subcommand: 'help', options: { share: true } }), responder);
    expect(calls[0]?.body).toMatchObject({
      type: 4,
      data: { content: expect.stringMatching(/went wrong/), flags: 64 },
    });
  });
});

/** Yields to the event loop until `condition` holds (bounded by the test timeout, not by a clock). */
async function vitestUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
