import { describe, expect, it } from 'vitest';
import {
  canManage,
  commandContext,
  interactionPayload,
  invocationFromPayload,
  readOptions,
} from '../../../adapters/discord/invocation.js';
import {
  CHANNEL_ID,
  GUILD_ID,
  PERMISSIONS,
  USER_ID,
  psfInteraction,
} from '../../fakes/discord/interactions.js';
import { createTestSigner } from '../../fakes/discord/signing.js';
import { discordPublicKey, verifyDiscordSignature } from '../../../adapters/discord/signature.js';

describe('interaction options', () => {
  it('finds the subcommand and its options, and the focused one', () => {
    expect(
      readOptions([
        {
          type: 1,
          name: 'tag',
          options: [
            { type: 3, name: 'tag', value: 'gra', focused: true },
            { type: 4, name: 'count', value: 3 },
          ],
        },
      ]),
    ).toEqual({
      subcommand: 'tag',
      options: { tag: 'gra', count: 3 },
      focused: { name: 'tag', value: 'gra' },
    });
  });

  it('lets Manage Channels, Manage Server or Administrator manage subscriptions, nobody else', () => {
    expect(canManage(BigInt(PERMISSIONS.manageChannels))).toBe(true);
    expect(canManage(BigInt(PERMISSIONS.manageGuild))).toBe(true);
    expect(canManage(BigInt(PERMISSIONS.administrator))).toBe(true);
    expect(canManage(BigInt(PERMISSIONS.sendMessages) | (1n << 13n))).toBe(false);
    expect(canManage(null)).toBe(false);
  });

  it('builds the command context from an HTTP interaction', () => {
    const payload = interactionPayload.parse(
      psfInteraction({
        subcommand: 'subscribe',
        permissions: PERMISSIONS.manageGuild,
        options: [{ type: 3, name: 'tags', value: 'grants' }],
      }),
    );
    const invocation = invocationFromPayload(payload)!;
    expect(invocation).toMatchObject({
      kind: 'command',
      subcommand: 'subscribe',
      options: { tags: 'grants' },
    });
    expect(commandContext(invocation)).toEqual({
      platform: 'discord',
      workspaceId: GUILD_ID,
      channelId: CHANNEL_ID,
      userId: USER_ID,
      canManage: true,
      forum: false,
      mentionProblem: expect.any(Function),
    });
  });

  it("acts on the channel named in `channel`, with the member's rights in that channel", () => {
    const FORUM = '700000000000000015';
    const named = (permissions: string) =>
      commandContext(
        invocationFromPayload(
          interactionPayload.parse(
            psfInteraction({
              subcommand: 'subscribe',
              permissions: PERMISSIONS.manageChannels,
              options: [{ type: 7, name: 'channel', value: FORUM }],
              resolvedChannels: { [FORUM]: { type: 15, permissions } },
            }),
          ),
        )!,
      );
    expect(named(PERMISSIONS.manageChannels)).toMatchObject({
      channelId: FORUM,
      canManage: true,
      forum: true,
    });
    // Managing the channel the command was typed in grants nothing in the forum.
    expect(named(PERMISSIONS.sendMessages)).toMatchObject({ channelId: FORUM, canManage: false });
  });

  it('never lets a DM manage subscriptions', () => {
    const { member: _member, guild_id: _guild, ...dm } = psfInteraction({ subcommand: 'subscribe' });
    const invocation = invocationFromPayload(interactionPayload.parse({ ...dm, user: { id: USER_ID } }))!;
    expect(commandContext(invocation)).toMatchObject({ workspaceId: '@me', canManage: false });
  });
});

describe('verifyDiscordSignature', () => {
  const signer = createTestSigner();
  const key = discordPublicKey(signer.publicKeyHex);
  const body = '{"type":1}';

  it('accepts Discord-signed bodies and rejects tampered, missing or malformed signatures', () => {
    const AT = 1_700_000_000_000;
    const headers = signer.headers(body, '1700000000');
    const sig = headers['x-signature-ed25519'];
    expect(verifyDiscordSignature(key, sig, '1700000000', Buffer.from(body), AT)).toBe(true);
    expect(verifyDiscordSignature(key, sig, '1700000001', Buffer.from(body), AT)).toBe(false);
    expect(verifyDiscordSignature(key, sig, '1700000000', Buffer.from('{"type":2}'), AT)).toBe(false);
    expect(verifyDiscordSignature(key, undefined, '1700000000', Buffer.from(body), AT)).toBe(false);
    expect(verifyDiscordSignature(key, 'zz', '1700000000', Buffer.from(body), AT)).toBe(false);
    expect(
      verifyDiscordSignature(
        discordPublicKey(createTestSigner().publicKeyHex),
        sig,
        '1700000000',
        Buffer.from(body),
        AT,
      ),
    ).toBe(false);
    expect(verifyDiscordSignature(key, sig, '1700000000', Buffer.from(body), AT + 301_000)).toBe(false);
    expect(verifyDiscordSignature(key, sig, '1700000000', Buffer.from(body), AT - 301_000)).toBe(false);
    expect(verifyDiscordSignature(key, sig, '1700000000', Buffer.from(body), AT + 299_000)).toBe(true);
  });

  it('refuses a public key that is not 64 hex characters', () => {
    expect(() => discordPublicKey('abc')).toThrow(/64 hex/);
  });
});
