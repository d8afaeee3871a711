import { expect, it } from 'vitest';
import type { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { GUILD_ID, PERMISSIONS, type InteractionSpec } from '../../fakes/discord/interactions.js';

/** An interaction's first response, whichever transport carried it. */
export type Answer = (spec: InteractionSpec) => Promise<{ type: number; data: Record<string, unknown> }>;

const USE_EXTERNAL_APPS = String(1n << 50n);
const OUTSIDE = /ask a server manager to add psf-bot to the server/;
/** A channel no other test subscribes. */
const UNSUBSCRIBED = '700000000000000099';

/**
 * User installs (issue 22): `/psf` typed in the bot's DM, a group DM, or a server where only the person added
 * the app. The same cases run over HTTP interactions and over the gateway.
 */
export function userInstallCases(answer: Answer, subscriptions: () => MemorySubscriptionStore): void {
  it('answers lookups in a DM and a group DM, where no guild and no member come with the interaction', async () => {
    const dm = await answer({
      context: 1,
      subcommand: 'latest',
      options: [{ type: 4, name: 'count', value: 2 }],
    });
    expect(dm.type).toBe(4);
    expect(dm.data.flags).toBe(64);
    expect(dm.data.embeds as unknown[]).toHaveLength(2);
    const group = await answer({
      context: 2,
      subcommand: 'search',
      options: [
        { type: 3, name: 'query', value: 'grants' },
        { type: 5, name: 'share', value: true },
      ],
    });
    expect(group.data.flags).toBeUndefined();
    expect((group.data.embeds as unknown[]).length).toBeGreaterThan(0);
  });

  it('refuses the subscription commands outside a server that added the bot, saying why', async () => {
    for (const subcommand of ['subscribe', 'unsubscribe', 'subscriptions', 'test']) {
      for (const where of [{ context: 1 }, { context: 2 }, { install: 'user' }] as const) {
        const refused = await answer({
          ...where,
          subcommand,
          channelId: UNSUBSCRIBED,
          permissions: PERMISSIONS.administrator,
        });
        expect(refused.data.flags, `${subcommand} ${JSON.stringify(where)}`).toBe(64);
        expect(refused.data.content, `${subcommand} ${JSON.stringify(where)}`).toMatch(OUTSIDE);
      }
    }
    expect(
      await subscriptions().get({ platform: 'discord', workspaceId: GUILD_ID, channelId: UNSUBSCRIBED }),
    ).toBeNull();
    const why = await answer({
      context: 1,
      subcommand: 'why',
      options: [{ type: 3, name: 'query', value: 'grants' }],
    });
    expect(why.data.content).toMatch(/ask it in a server channel, in the channel you mean/);
  });

  it('keeps a shared answer private in a server that disallows external apps', async () => {
    const share = [{ type: 5 as const, name: 'share', value: true }];
    const forced = await answer({
      install: 'user',
      subcommand: 'tags',
      options: share,
      permissions: PERMISSIONS.sendMessages,
    });
    expect(forced.data.flags).toBe(64);
    const allowed = await answer({
      install: 'user',
      subcommand: 'tags',
      options: share,
      permissions: String(BigInt(PERMISSIONS.sendMessages) | BigInt(USE_EXTERNAL_APPS)),
    });
    expect(allowed.data.flags).toBeUndefined();
  });
}
