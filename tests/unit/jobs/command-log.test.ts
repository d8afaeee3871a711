import { describe, expect, it } from 'vitest';
import type { CommandContext, CommandService, Reply } from '../../../src/commands/types.js';
import { createLogger } from '../../../src/logger.js';
import { logCommands } from '../../../jobs/command-log.js';

const CONTEXT: CommandContext = {
  platform: 'slack',
  workspaceId: 'T1',
  channelId: 'C1',
  userId: 'U1',
  canManage: false,
};

function service(reply: Reply): CommandService {
  return { handle: async () => reply, suggestTags: async () => ['grants'] };
}

describe('logCommands', () => {
  it('logs each command once with its own correlation id, where it came from and how it ended', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', { stream: { write: (line: string) => void lines.push(line) } });
    const logged = logCommands(service({ kind: 'text', text: 'hi' }), logger, 'slack');
    expect(await logged.handle({ name: 'help', share: false }, CONTEXT)).toEqual({
      kind: 'text',
      text: 'hi',
    });
    await logged.handle({ name: 'tags', share: false }, CONTEXT);
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      command: 'help',
      platform: 'slack',
      workspaceId: 'T1',
      channelId: 'C1',
      userId: 'U1',
      outcome: 'text',
    });
    expect(entries[0]!.commandId).toMatch(/^[0-9a-f-]{36}$/);
    expect(entries[0]!.commandId).not.toBe(entries[1]!.commandId);
    expect(await logged.suggestTags('gr', 25)).toEqual(['grants']);
  });

  it('marks a refused command and keeps the reply as it was', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', { stream: { write: (line: string) => void lines.push(line) } });
    const reply: Reply = { kind: 'error', message: 'Only members who can manage this channel…' };
    expect(
      await logCommands(service(reply), logger, 'discord').handle({ name: 'subscriptions' }, CONTEXT),
    ).toBe(reply);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      outcome: 'refused',
      command: 'subscriptions',
      platform: 'discord',
    });
  });
});
