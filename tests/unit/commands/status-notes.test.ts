import { describe, expect, it } from 'vitest';
import { makeCore, MEMBER } from './core-fixture.js';

describe('status and delivery notes', () => {
  it('says when a platform is paused by the mass-disable guard, or cannot look before re-sending', async () => {
    const { core, queues } = await makeCore([], ['psf']);
    const notes = [
      'Deliveries to discord are PAUSED by the mass-disable guard since 2026-03-01T11:59:00.000Z: 50001: 403 Missing Access',
      'slack T1: cannot look before re-sending: conversations.history: missing_scope (e.g. channel C1)',
    ];
    Object.assign(queues, { notes: async () => notes });
    const reply = await core.handle({ name: 'status', share: false }, MEMBER);
    expect(reply.kind).toBe('text');
    const text = reply.kind === 'text' ? reply.text : '';
    for (const note of notes) expect(text).toContain(note);
    expect(text.indexOf(notes[0]!)).toBeLessThan(text.indexOf('Queues:'));
  });
});
