import { describe, expect, it } from 'vitest';
import type { CommandContext, DeliveryNote } from '../../../src/commands/types.js';
import { BACKLOG_WAITING, healthWord } from '../../../src/commands/tenant-view.js';
import { makeCore, MEMBER, OPERATOR } from './core-fixture.js';
import { invalidRequestNotes } from '../../../jobs/delivery/safety.js';
import { DISCORD_REQUEST_LIMITS, invalidStanding } from '../../../src/delivery/request-budget.js';

const DISCORD_A: CommandContext = {
  platform: 'discord',
  workspaceId: '100000000000000001',
  channelId: '200000000000000001',
  userId: '300000000000000001',
  canManage: false,
};
const DISCORD_B: CommandContext = { ...DISCORD_A, workspaceId: '100000000000000002' };
const DM: CommandContext = { ...DISCORD_A, workspaceId: '@me', direct: true };

const NOTES: DeliveryNote[] = [
  {
    tenant: { platform: 'discord', workspaceId: DISCORD_B.workspaceId },
    text: 'Deliveries to discord are PAUSED by the mass-disable guard since 2026-03-01T11:59:00.000Z: 50001: 403 Missing Access (channel 200000000000000099)',
    shared:
      "Deliveries to discord are PAUSED by the mass-disable guard since 2026-03-01T11:59:00.000Z: the bot's access is being checked; held announcements are sent when it clears.",
  },
  {
    tenant: { platform: 'slack', workspaceId: 'T1' },
    text: 'slack T1: cannot look before re-sending: conversations.history: missing_scope (e.g. channel C1)',
  },
  {
    tenant: { platform: 'slack', workspaceId: 'T2' },
    text: 'slack T2: cannot look before re-sending: conversations.history: missing_scope (e.g. channel C2)',
  },
  // How the bot itself stands: for the operator alone, even in the server it names.
  ...invalidRequestNotes([{ platform: 'discord', ...invalidStanding(2_600, DISCORD_REQUEST_LIMITS) }]),
  {
    tenant: { platform: 'discord', workspaceId: DISCORD_B.workspaceId },
    text: 'discord: the probe that would resume deliveries fails: DISCORD_TOKEN is the token of bot 955, not of application 900.',
    operator: true,
  },
];

async function statusText(context: CommandContext): Promise<string> {
  const { core, queues } = await makeCore([], ['psf']);
  Object.assign(queues, { notes: async () => NOTES });
  const reply = await core.handle({ name: 'status', share: false }, context);
  return reply.kind === 'text' ? reply.text : '';
}

describe('status and delivery notes', () => {
  it('shows the operator every pause and look note, before the queue counts', async () => {
    const text = await statusText(OPERATOR);
    for (const note of NOTES) expect(text).toContain(note.text);
    expect(text.indexOf(NOTES[0]!.text)).toBeLessThan(text.indexOf('Queues:'));
  });

  it('shows the invalid-request budget and how the bot is set up to the operator only', async () => {
    expect(await statusText(OPERATOR)).toContain(
      'Discord invalid requests (401, 403 and 429 answers): 2,600 in the last 10 minutes; SLOWED to 5 requests a second (slowed from 2,500, held from 5,000; Discord blocks the IP at 10,000).',
    );
    for (const member of [DISCORD_A, DISCORD_B, MEMBER, DM])
      expect(await statusText(member)).not.toMatch(/invalid requests|DISCORD_TOKEN|probe/);
  });

  it("shows a workspace its own notes only, never another's", async () => {
    const text = await statusText(MEMBER);
    expect(text).toContain(NOTES[1]!.text);
    expect(text).not.toMatch(/\bT2\b|\bC2\b|PAUSED|100000000000000002/);
  });

  it("tells another Discord server of a platform-wide pause without the tripping server's reason", async () => {
    const other = await statusText(DISCORD_A);
    expect(other).toContain(NOTES[0]!.shared);
    expect(other).not.toMatch(/Missing Access|200000000000000099|100000000000000002|\bT[12]\b/);
    expect(await statusText(DISCORD_B)).toContain(NOTES[0]!.text);
  });

  it('shows a DM only the public parts', async () => {
    const text = await statusText(DM);
    expect(text).toContain('Feed psf');
    expect(text).toContain('Deliveries: healthy');
    expect(text).not.toMatch(/PAUSED|\bT[12]\b|This server/);
  });
});

describe('queue health in one word', () => {
  const queue = (waiting: number, delayed = 0) => ({ waiting, active: 0, delayed, failed: 7 });

  it('is healthy, delayed (a rate limit or retry) or backlog (many waiting), whatever has failed', () => {
    expect(healthWord([])).toBe('healthy');
    expect(healthWord([queue(3), queue(0)])).toBe('healthy');
    expect(healthWord([queue(0, 1)])).toBe('delayed');
    expect(healthWord([queue(BACKLOG_WAITING), queue(1, 2)])).toBe('backlog');
  });
});
