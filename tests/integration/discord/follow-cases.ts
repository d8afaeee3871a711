import { expect, it } from 'vitest';
import { DiscordClient } from '../../../adapters/discord/client.js';
import { DiscordChannelFollows } from '../../../adapters/discord/follows.js';
import type { CommandDeps } from '../../../src/commands/command-deps.js';
import { MemoryFollowStore } from '../../../src/subscriptions/follow-store.js';
import type { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { MANAGE_WEBHOOKS } from '../../fakes/discord/fake-follows.js';
import { FAKE_TOKEN, type FakeDiscord } from '../../fakes/discord/fake-discord.js';
import { GUILD_ID, PERMISSIONS } from '../../fakes/discord/interactions.js';
import { makeSubscription } from '../../helpers/delivery-fixtures.js';
import type { Answer } from './user-install-cases.js';

/** The operator's server and its hubs: psf's is an announcement channel, insider's (wrongly) a text channel. */
const HUB_GUILD = '710000000000000001';
const PSF_HUB = '710000000000000005';
const TEXT_HUB = '710000000000000006';
/** Channels of the server that follows (GUILD_ID). */
const FOLLOWER = '700000000000000201';
const SUBSCRIBED = '700000000000000202';
const NO_WEBHOOKS = '700000000000000203';
const NAMED = '700000000000000204';
const DELETED_ELSEWHERE = '700000000000000205';
const SWITCHES = '700000000000000206';

const OUTSIDE = /ask a server manager to add psf-bot to the server/;
const MANAGER = PERMISSIONS.manageChannels;
const feed = (value: string) => ({ type: 3 as const, name: 'feed', value });

/**
 * The fake's servers for following (hubs in the operator's server; the bot holds Manage Webhooks in the other
 * server except where a channel overwrite denies it), and the command core's dependencies: the hubs, a follow
 * store, and follows made through the Discord client layer against the fake.
 */
export function followSetup(fake: FakeDiscord): Partial<CommandDeps> & { follows: MemoryFollowStore } {
  fake.rest.channelTypes.set(PSF_HUB, 5);
  fake.rest.channelTypes.set(TEXT_HUB, 0);
  fake.rest.guilds.add(HUB_GUILD, [PSF_HUB, TEXT_HUB]);
  fake.rest.guilds.add(GUILD_ID, [FOLLOWER, SUBSCRIBED, NO_WEBHOOKS, NAMED, DELETED_ELSEWHERE, SWITCHES]);
  const base = (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 16n) | MANAGE_WEBHOOKS;
  fake.rest.guildRoles.set(GUILD_ID, {
    roles: [{ id: GUILD_ID, name: '@everyone', permissions: String(base), mentionable: false }],
    botRoles: [],
  });
  fake.rest.overwrites.set(NO_WEBHOOKS, [
    { id: GUILD_ID, type: 0, allow: '0', deny: String(MANAGE_WEBHOOKS) },
  ]);
  return {
    feeds: [
      { name: 'psf', url: 'https://pyfound.blogspot.com/feeds/posts/default' },
      { name: 'insider', url: 'https://blog.python.org/feeds/posts/default' },
      { name: 'pypi', url: 'https://blog.pypi.org/feed_rss_created.xml' },
    ],
    hubs: [
      { feed: 'psf', channelId: PSF_HUB },
      { feed: 'insider', channelId: TEXT_HUB },
    ],
    follows: new MemoryFollowStore(),
    channelFollows: new DiscordChannelFollows(new DiscordClient({ token: FAKE_TOKEN, apiUrl: fake.apiUrl })),
  };
}

const ref = (channelId: string) => ({ platform: 'discord' as const, workspaceId: GUILD_ID, channelId });

/**
 * `/psf follow` and `/psf unfollow` (issue 22, "Follow the hub"): the same cases over HTTP interactions and
 * over the gateway.
 */
export function followCases(
  answer: Answer,
  world: () => { fake: FakeDiscord; follows: MemoryFollowStore; subscriptions: MemorySubscriptionStore },
): void {
  const followPosts = (channelId: string) =>
    world()
      .fake.rest.find('POST', /^\/channels\/\d+\/followers$/)
      .filter(
        (request) => (request.body as { webhook_channel_id?: string }).webhook_channel_id === channelId,
      );
  const content = (reply: { data: Record<string, unknown> }) => String(reply.data.content);

  it('follows the hub, lists the follow, explains it in why, refuses a subscription there, and unfollows', async () => {
    const { fake, follows, subscriptions } = world();
    const followed = await answer({
      subcommand: 'follow',
      channelId: FOLLOWER,
      permissions: MANAGER,
      options: [feed('psf')],
    });
    expect(followed.data.flags).toBe(64);
    expect(content(followed)).toMatch(
      /<#700000000000000201> now follows the psf hub: Discord copies each psf post/,
    );
    expect(content(followed)).toMatch(/no tag filter, role or thread options/);
    const [request] = followPosts(FOLLOWER);
    expect(request?.path).toBe(`/channels/${PSF_HUB}/followers`);
    expect(request?.body).toEqual({ webhook_channel_id: FOLLOWER });
    expect(request?.headers.authorization).toBe(`Bot ${FAKE_TOKEN}`);
    const record = await follows.get(ref(FOLLOWER), 'psf');
    expect(record).toMatchObject({ feed: 'psf', hubChannelId: PSF_HUB, createdBy: '700000000000000100' });
    expect(fake.rest.followers.get(PSF_HUB)?.get(FOLLOWER)).toEqual({
      webhookId: record!.webhookId,
      guildId: GUILD_ID,
    });

    const again = await answer({
      subcommand: 'follow',
      channelId: FOLLOWER,
      permissions: MANAGER,
      options: [feed('psf')],
    });
    expect(content(again)).toMatch(/already follows the psf hub/);
    expect(followPosts(FOLLOWER)).toHaveLength(1);

    // What the hub publishes now reaches the channel, copied by Discord, with no request of psf-bot's to it.
    const publish = async (content: string) => {
      const client = new DiscordClient({ token: FAKE_TOKEN, apiUrl: fake.apiUrl });
      const sent = (await client.call('createMessage', { channelId: PSF_HUB }, { body: { content } })) as {
        id: string;
      };
      await client.call('crosspostMessage', { channelId: PSF_HUB, messageId: sent.id });
    };
    await publish('first post');
    expect((fake.rest.messages.get(FOLLOWER) ?? []).map((message) => message.content)).toEqual([
      'first post',
    ]);
    expect(fake.rest.find('POST', new RegExp(`^/channels/${FOLLOWER}/messages$`))).toEqual([]);

    const listed = await answer({ subcommand: 'subscriptions', permissions: MANAGER });
    expect(content(listed)).toMatch(
      /Follows \(1\):\n• <#700000000000000201>: follows the psf hub \(Discord's channel follow/,
    );

    const why = await answer({
      subcommand: 'why',
      channelId: FOLLOWER,
      options: [{ type: 3, name: 'query', value: 'grants' }],
    });
    expect(content(why)).toMatch(
      /comes through Discord's channel follow of the psf hub, not a psf-bot delivery/,
    );

    const subscribe = await answer({ subcommand: 'subscribe', channelId: FOLLOWER, permissions: MANAGER });
    expect(content(subscribe)).toMatch(
      /follows the psf hub: Discord already copies those posts here.*\/psf unfollow feed:psf/,
    );
    expect(content(subscribe)).toMatch(/\/psf subscribe feed:insider/);
    expect(await subscriptions.get(ref(FOLLOWER))).toBeNull();
    // A subscription to the feeds the hub does not carry is fine.
    const other = await answer({
      subcommand: 'subscribe',
      channelId: FOLLOWER,
      permissions: MANAGER,
      options: [feed('pypi')],
    });
    expect(content(other)).toMatch(/now gets posts from pypi/);
    await subscriptions.remove(ref(FOLLOWER));

    const ended = await answer({ subcommand: 'unfollow', channelId: FOLLOWER, permissions: MANAGER });
    expect(content(ended)).toMatch(/<#700000000000000201> no longer follows the psf hub/);
    expect(fake.rest.find('DELETE', new RegExp(`^/webhooks/${record!.webhookId}$`))).toHaveLength(1);
    expect(fake.rest.followers.get(PSF_HUB)?.has(FOLLOWER)).toBe(false);
    expect(fake.rest.follows.webhooks.has(record!.webhookId)).toBe(false);
    expect(await follows.listChannel(ref(FOLLOWER))).toEqual([]);
    await publish('second post');
    expect((fake.rest.messages.get(FOLLOWER) ?? []).map((message) => message.content)).toEqual([
      'first post',
    ]);
    const none = await answer({ subcommand: 'unfollow', channelId: FOLLOWER, permissions: MANAGER });
    expect(content(none)).toMatch(/This channel follows no hub/);
  });

  it('follows in the channel named by the channel option, with the rights the member holds there', async () => {
    const { fake, follows } = world();
    const refused = await answer({
      subcommand: 'follow',
      options: [feed('psf'), { type: 7, name: 'channel', value: NAMED }],
      permissions: MANAGER,
      resolvedChannels: { [NAMED]: { type: 0, permissions: PERMISSIONS.sendMessages } },
    });
    expect(content(refused)).toMatch(/Only members who can manage this channel/);
    const followed = await answer({
      subcommand: 'follow',
      options: [feed('psf'), { type: 7, name: 'channel', value: NAMED }],
      resolvedChannels: { [NAMED]: { type: 0, permissions: MANAGER } },
    });
    expect(content(followed)).toMatch(/<#700000000000000204> now follows the psf hub/);
    expect(fake.rest.followers.get(PSF_HUB)?.has(NAMED)).toBe(true);
    expect(await follows.get(ref(NAMED), 'psf')).not.toBeNull();
  });

  it('refuses to follow a feed the channel subscribes to, saying how to switch', async () => {
    const { follows, subscriptions } = world();
    await subscriptions.put(makeSubscription(0, { ...ref(SUBSCRIBED), feeds: [] }));
    const refused = await answer({
      subcommand: 'follow',
      channelId: SUBSCRIBED,
      permissions: MANAGER,
      options: [feed('psf')],
    });
    expect(refused.data.flags).toBe(64);
    expect(content(refused)).toMatch(
      /subscribes to psf: following the hub as well would bring each post twice\. To switch to the follow, `\/psf unsubscribe feed:psf` first, then `\/psf follow feed:psf`/,
    );
    expect(followPosts(SUBSCRIBED)).toEqual([]);
    expect(await follows.listChannel(ref(SUBSCRIBED))).toEqual([]);

    // Switching as the reply says works.
    await answer({ subcommand: 'unsubscribe', channelId: SUBSCRIBED, permissions: MANAGER });
    const switched = await answer({
      subcommand: 'follow',
      channelId: SUBSCRIBED,
      permissions: MANAGER,
      options: [feed('psf')],
    });
    expect(content(switched)).toMatch(/now follows the psf hub/);
    await answer({ subcommand: 'unfollow', channelId: SUBSCRIBED, permissions: MANAGER });
  });

  it('refuses a member who cannot manage the channel, and anyone outside a server that added the bot', async () => {
    const refused = await answer({
      subcommand: 'follow',
      channelId: SWITCHES,
      permissions: PERMISSIONS.sendMessages,
    });
    expect(content(refused)).toMatch(/Only members who can manage this channel can make it follow/);
    for (const subcommand of ['follow', 'unfollow']) {
      for (const where of [{ context: 1 }, { context: 2 }, { install: 'user' }] as const) {
        const outside = await answer({
          ...where,
          subcommand,
          channelId: SWITCHES,
          permissions: PERMISSIONS.administrator,
        });
        expect(outside.data.flags, `${subcommand} ${JSON.stringify(where)}`).toBe(64);
        expect(content(outside), `${subcommand} ${JSON.stringify(where)}`).toMatch(OUTSIDE);
      }
    }
    expect(followPosts(SWITCHES)).toEqual([]);
  });

  it('says the bot needs Manage Webhooks when Discord answers 50013, and records nothing', async () => {
    const { follows } = world();
    const refused = await answer({
      subcommand: 'follow',
      channelId: NO_WEBHOOKS,
      permissions: MANAGER,
      options: [feed('psf')],
    });
    expect(refused.data.flags).toBe(64);
    expect(content(refused)).toMatch(
      /The bot needs the Manage Webhooks permission in <#700000000000000203> to follow the psf hub/,
    );
    expect(followPosts(NO_WEBHOOKS)).toHaveLength(1);
    expect(await follows.listChannel(ref(NO_WEBHOOKS))).toEqual([]);
  });

  it('explains 50024 (the hub is not an announcement channel), and a feed with no hub', async () => {
    const { follows } = world();
    const refused = await answer({
      subcommand: 'follow',
      channelId: SWITCHES,
      permissions: MANAGER,
      options: [feed('insider')],
    });
    expect(content(refused)).toMatch(
      /Discord refused \(50024\): only a text or announcement channel can follow, and the hub must be an announcement channel/,
    );
    expect(await follows.listChannel(ref(SWITCHES))).toEqual([]);
    const noHub = await answer({
      subcommand: 'follow',
      channelId: SWITCHES,
      permissions: MANAGER,
      options: [feed('pypi')],
    });
    expect(content(noHub)).toMatch(
      /This bot has no hub for feed pypi; ask its operator, or use `\/psf subscribe feed:pypi`/,
    );
  });

  it('forgets a follow whose webhook is already gone (10015), saying so', async () => {
    const { fake, follows } = world();
    await answer({
      subcommand: 'follow',
      channelId: DELETED_ELSEWHERE,
      permissions: MANAGER,
      options: [feed('psf')],
    });
    const record = await follows.get(ref(DELETED_ELSEWHERE), 'psf');
    expect(record).not.toBeNull();
    // A manager removes the follow in Discord's channel settings: its webhook is deleted.
    expect(fake.rest.follows.deleteWebhook(record!.webhookId).status).toBe(204);
    const ended = await answer({
      subcommand: 'unfollow',
      channelId: DELETED_ELSEWHERE,
      permissions: MANAGER,
      options: [feed('psf')],
    });
    expect(content(ended)).toMatch(/was already gone .* psf-bot has forgotten it/);
    expect(await follows.listChannel(ref(DELETED_ELSEWHERE))).toEqual([]);
  });
}
