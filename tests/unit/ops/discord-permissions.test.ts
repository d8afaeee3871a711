import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  channelPermissions,
  DISCORD_PERMISSIONS as P,
  INVITE_PERMISSIONS,
  missingPermissions,
  neededPermissions,
} from '../../../jobs/doctor/discord-permissions.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('Discord permissions', () => {
  it('invites the bot with thread, history, message and webhook permissions, the number the README shows', () => {
    expect(INVITE_PERMISSIONS).toBe(309774609408n);
    expect(README).toContain(`permissions=${INVITE_PERMISSIONS}`);
    for (const bit of [
      P.readMessageHistory,
      P.manageWebhooks,
      P.createPublicThreads,
      P.sendMessagesInThreads,
    ])
      expect(INVITE_PERMISSIONS & bit).toBe(bit);
  });

  it('needs thread permissions for threads and forums, Manage Messages for crossposting', () => {
    expect(
      missingPermissions(
        P.viewChannel | P.sendMessages | P.embedLinks | P.readMessageHistory,
        neededPermissions({}),
      ),
    ).toEqual([]);
    expect(missingPermissions(0n, neededPermissions({ forum: true }))).toContain('Create Public Threads');
    expect(missingPermissions(0n, neededPermissions({ crosspost: true }))).toContain('Manage Messages');
  });

  it('applies @everyone, role and member overwrites in Discord order; Administrator grants everything', () => {
    const roles = [
      { id: 'G', permissions: String(P.viewChannel | P.sendMessages) },
      { id: 'R', permissions: String(P.embedLinks) },
    ];
    const member = { id: 'B', roles: ['R'] };
    const overwrites = [
      { id: 'G', type: 0, allow: '0', deny: String(P.sendMessages) },
      { id: 'R', type: 0, allow: String(P.sendMessages), deny: '0' },
      { id: 'B', type: 1, allow: '0', deny: String(P.embedLinks) },
    ];
    const held = channelPermissions('G', roles, member, overwrites);
    expect(held & P.sendMessages).toBe(P.sendMessages);
    expect(held & P.embedLinks).toBe(0n);
    const admin = channelPermissions(
      'G',
      [{ id: 'G', permissions: String(P.administrator) }],
      member,
      overwrites,
    );
    expect(admin & P.embedLinks).toBe(P.embedLinks);
  });
});
