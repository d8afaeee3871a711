import { describe, expect, it } from 'vitest';
import { CommandCore } from '../../../src/commands/command-core.js';
import type { CommandContext, Reply } from '../../../src/commands/types.js';
import { hubRef } from '../../../src/delivery/hub-ref.js';
import { MemoryDeliveryLedger } from '../../../src/delivery/ledger.js';
import { postKey } from '../../../src/posts/identity.js';
import { MemoryFollowStore } from '../../../src/subscriptions/follow-store.js';
import { makePost } from '../../helpers/delivery-fixtures.js';
import { makeCore, NOW } from './core-fixture.js';

const HUB_SERVER = '700000000000000001';
const HUB = '710000000000000005';
/** A manager in the psf hub channel of the operator's server. */
const IN_HUB: CommandContext = {
  platform: 'discord',
  workspaceId: HUB_SERVER,
  channelId: HUB,
  userId: '700000000000000100',
  canManage: true,
};
const post = makePost(1);

async function core() {
  const base = await makeCore([post], ['psf', 'insider']);
  const ledger = new MemoryDeliveryLedger();
  const built = new CommandCore({
    ...base,
    hubs: [{ feed: 'psf', channelId: HUB }],
    follows: new MemoryFollowStore(),
    ledger,
    deliveries: { state: async () => ({ state: 'queued' }) },
  });
  return { core: built, ledger, subscriptions: base.subscriptions };
}

const said = (reply: Reply) =>
  reply.kind === 'error' ? reply.message : reply.kind === 'text' ? reply.text : '';

describe('a hub channel in subscriptions and why', () => {
  it('subscriptions there says it is the operator hub of its feed, with no subscription of its own', async () => {
    const { core: built } = await core();
    const text = said(await built.handle({ name: 'subscriptions' }, IN_HUB));
    expect(text).toMatch(
      new RegExp(
        `<#${HUB}> \\(this channel\\): the bot operator's hub for feed psf \\(DISCORD_HUB_CHANNELS\\)`,
      ),
    );
    expect(text).toMatch(/`\/psf follow feed:psf`/);
    expect(text).not.toMatch(/No channel here gets announcements/);
    // Another channel of the same server is no hub.
    const elsewhere = said(await built.handle({ name: 'subscriptions' }, { ...IN_HUB, channelId: '7100' }));
    expect(elsewhere).toMatch(/No channel here gets announcements/);
  });

  it("subscriptions says a hub's own subscription to its feed gets those posts once, as the hub's", async () => {
    const { core: built } = await core();
    await built.handle({ name: 'subscribe', feed: 'psf' }, IN_HUB);
    const text = said(await built.handle({ name: 'subscriptions' }, IN_HUB));
    expect(text).toMatch(/its subscription's psf posts come once, as the hub's/);
    expect(text).toMatch(/Subscriptions \(1\):/);
  });

  it('why there answers from the hub delivery in the ledger: posted, then published to the followers', async () => {
    const { core: built, ledger } = await core();
    const entry = { messageId: '730000000000000001', deliveredAt: '2026-03-01T11:00:00.000Z' };
    await ledger.record(postKey(post.feed, post.id), hubRef(HUB), entry);
    const waiting = said(await built.handle({ name: 'why', query: post.id }, IN_HUB));
    expect(waiting).toMatch(/posted here 2026-03-01T11:00:00.000Z, not yet published to its followers/);
    expect(waiting).toContain(`https://discord.com/channels/${HUB_SERVER}/${HUB}/730000000000000001`);
    expect(waiting).toMatch(/the bot operator's hub for feed psf/);

    await ledger.update(postKey(post.feed, post.id), hubRef(HUB), {
      ...entry,
      crosspostedAt: NOW.toISOString(),
    });
    const published = said(await built.handle({ name: 'why', query: post.id }, IN_HUB));
    expect(published).toMatch(new RegExp(`published to its followers ${NOW.toISOString()}`));
  });

  it('why there without a recorded hub delivery says where its deliver job stands', async () => {
    const { core: built } = await core();
    const text = said(await built.handle({ name: 'why', query: post.id }, IN_HUB));
    expect(text).toMatch(
      /not posted yet: queued for the hub \(this channel is the bot operator's hub for feed psf/,
    );
    // The same post asked about in an ordinary channel: no hub talk.
    const elsewhere = said(
      await built.handle({ name: 'why', query: post.id }, { ...IN_HUB, channelId: '7100' }),
    );
    expect(elsewhere).not.toMatch(/hub/);
  });
});
