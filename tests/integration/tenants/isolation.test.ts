import { webApi } from '@slack/bolt';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invocationFromPayload, interactionPayload } from '../../../adapters/discord/invocation.js';
import { DiscordInteractionHandler } from '../../../adapters/discord/interaction-handler.js';
import { SlackClient } from '../../../adapters/slack/client.js';
import { answerSlashCommand } from '../../../adapters/slack/command.js';
import { renderHomeView } from '../../../adapters/slack/home.js';
import { renderSlackReply } from '../../../adapters/slack/reply.js';
import { deliverySafety, deliveryStatusNotes } from '../../../jobs/delivery/safety.js';
import { openAllQueues, queueHealth } from '../../../jobs/queue-health.js';
import { CommandCore } from '../../../src/commands/command-core.js';
import { homeContent } from '../../../src/commands/home.js';
import type { TestAnnouncer } from '../../../src/commands/types.js';
import { MemoryFeedStateStore } from '../../../src/feeds/memory-feed-state-store.js';
import { silentLogger } from '../../../src/logger.js';
import type { Platform } from '../../../src/posts/post.js';
import { PostIndex } from '../../../src/search/post-index.js';
import { MemoryPostStore } from '../../../src/store/memory-post-store.js';
import { RedisChannelNotes } from '../../../src/subscriptions/channel-notes.js';
import { RedisSubscriptionStore } from '../../../src/subscriptions/redis-subscription-store.js';
import { PERMISSIONS, psfInteraction, type LeafOption } from '../../fakes/discord/interactions.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { deleteKeys, makeSubscription, uniquePrefix } from '../../helpers/delivery-fixtures.js';
import { fixturePosts } from '../slack/slack-harness.js';

// Issue 21 §1: the bot is shared by many servers and workspaces. Two Discord servers and two Slack workspaces
// each hold subscriptions, disabled channels, channel notes, look notes, a guard pause and a hold; each runs
// every command through the real adapters, and no reply of one names or counts anything of another.

interface Tenant {
  name: string;
  platform: Platform;
  workspaceId: string;
  channels: string[];
  role: string;
  /** A word only this tenant's notes and reasons carry. */
  secret: string;
}

const TENANTS: Tenant[] = [
  {
    name: 'discord A',
    platform: 'discord',
    workspaceId: '710000000000000001',
    channels: ['710000000000000011', '710000000000000012'],
    role: '710000000000000021',
    secret: 'Alphaforum',
  },
  {
    name: 'discord B',
    platform: 'discord',
    workspaceId: '720000000000000001',
    channels: ['720000000000000011', '720000000000000012', '720000000000000013'],
    role: '720000000000000021',
    secret: 'Bravoforum',
  },
  {
    name: 'slack A',
    platform: 'slack',
    workspaceId: 'T0ALPHA',
    channels: ['C0ALPHA1'],
    role: 'S0ALPHA',
    secret: 'Charlienote',
  },
  {
    name: 'slack B',
    platform: 'slack',
    workspaceId: 'T0BRAVO',
    channels: ['C0BRAVO1', 'C0BRAVO2', 'C0BRAVO3', 'C0BRAVO4'],
    role: 'S0BRAVO',
    secret: 'Deltanote',
  },
];

const prefix = uniquePrefix('tenants');
const redis = new Redis({ host: '127.0.0.1', port: 6379 });
const subscriptions = new RedisSubscriptionStore(redis, prefix);
const notes = new RedisChannelNotes(redis, prefix);
const safety = deliverySafety(redis, prefix);
const queues = openAllQueues({ host: '127.0.0.1', port: 6379 }, prefix);
const slack = new FakeSlack();
let core: CommandCore;
let posts: MemoryPostStore;
/** Every reply each tenant received, as the platform's payload. */
const replies = new Map<string, string[]>();

/** Posts a test announcement nowhere: the id it answers names the channel it was given. */
const testAnnouncer: TestAnnouncer = {
  announce: async (_post, channel) => ({ messageId: `m-${channel.channelId}` }),
};

function ref(tenant: Tenant, channelId: string) {
  return { platform: tenant.platform, workspaceId: tenant.workspaceId, channelId };
}

/** Subscriptions (the last one disabled, naming its channel), a note on the first, a look note and a hold. */
async function seed(tenant: Tenant): Promise<void> {
  const last = tenant.channels.at(-1)!;
  for (const [i, channelId] of tenant.channels.entries()) {
    await subscriptions.put(
      makeSubscription(i, {
        ...ref(tenant, channelId),
        options: { mentionRoleId: tenant.role },
        ...(channelId === last && tenant.channels.length > 1
          ? {
              disabledReason: `50001: Missing Access in ${channelId}`,
              disabledAt: '2026-12-01T00:00:00.000Z',
            }
          : {}),
      }),
    );
  }
  await notes.set(
    ref(tenant, tenant.channels[0]!),
    `this forum requires a tag: the post “${tenant.secret} title” had none`,
  );
  await safety.notes.unavailable(ref(tenant, last), `missing_scope ${tenant.secret}`);
  await safety.holds.hold(`${tenant.platform}:${tenant.workspaceId}`, 60_000);
}

async function discordCommand(tenant: Tenant, subcommand: string, options: LeafOption[] = []) {
  const raw = psfInteraction({
    subcommand,
    options,
    guildId: tenant.workspaceId,
    channelId: tenant.channels[0]!,
    permissions: PERMISSIONS.manageChannels,
    resolvedRoles: { [tenant.role]: { mentionable: true } },
  });
  const invocation = invocationFromPayload(interactionPayload.parse(raw))!;
  const handler = new DiscordInteractionHandler({ commands: core, deferAfterMs: 60_000 });
  const sent: unknown[] = [];
  await handler.handle(invocation, {
    respond: async (response) => void sent.push(response),
    editOriginal: async (data) => void sent.push(data),
  });
  return JSON.stringify(sent);
}

async function slackCommand(tenant: Tenant, text: string) {
  const client = new webApi.WebClient(`xoxb-${tenant.workspaceId}`, { slackApiUrl: slack.apiUrl });
  const raw = {
    text,
    team_id: tenant.workspaceId,
    channel_id: tenant.channels[0],
    user_id: `U0${tenant.secret}`,
  };
  const { reply, share } = await answerSlashCommand(raw, SlackClient.over(client), {
    commands: core,
    adminUsers: [],
    logger: silentLogger(),
  });
  return JSON.stringify(renderSlackReply(reply, { share }));
}

/** Every command, as this tenant's platform sends it, and the Slack App Home for Slack workspaces. */
async function runEverything(tenant: Tenant): Promise<string[]> {
  const post = (await posts.latest(1))[0]!;
  if (tenant.platform === 'discord') {
    const q = (value: string): LeafOption[] => [{ type: 3, name: 'query', value }];
    return Promise.all([
      discordCommand(tenant, 'status'),
      discordCommand(tenant, 'subscriptions'),
      discordCommand(tenant, 'why', q(post.url ?? post.title)),
      discordCommand(tenant, 'test'),
      discordCommand(tenant, 'help'),
      discordCommand(tenant, 'latest'),
      discordCommand(tenant, 'tag', [{ type: 3, name: 'tag', value: 'grants' }]),
      discordCommand(tenant, 'tags'),
      discordCommand(tenant, 'search', q('python')),
    ]).then(async (first) => [
      ...first,
      await discordCommand(tenant, 'subscribe', [{ type: 8, name: 'role', value: tenant.role }]),
      await discordCommand(tenant, 'subscribe', [{ type: 3, name: 'feed', value: 'nope' }]),
      await discordCommand(tenant, 'unsubscribe', [{ type: 3, name: 'feed', value: 'psf' }]),
    ]);
  }
  const texts = [
    'status',
    'subscriptions',
    `why ${post.url ?? post.title}`,
    'test',
    'help',
    'latest',
    'tag grants',
  ];
  const answers = [];
  for (const text of [...texts, 'tags', 'search python', `subscribe mention ${tenant.role}`, 'unsubscribe'])
    answers.push(await slackCommand(tenant, text));
  const home = await homeContent({ posts, subscriptions, feeds: FEEDS }, ref(tenant, ''), true);
  return [...answers, JSON.stringify(renderHomeView(home))];
}

const FEEDS = [{ name: 'psf', url: 'https://pyfound.blogspot.com/feeds/posts/default' }];

beforeAll(async () => {
  await slack.start();
  for (const tenant of TENANTS.filter((t) => t.platform === 'slack')) {
    slack.tokens.set(`xoxb-${tenant.workspaceId}`, {
      teamId: tenant.workspaceId,
      botId: `B${tenant.workspaceId}`,
      botUserId: `U${tenant.workspaceId}`,
    });
    slack.users.set(`U0${tenant.secret}`, { isAdmin: true });
    for (const channel of tenant.channels) slack.channels.set(channel, { isMember: true });
    slack.userGroups.push({
      id: tenant.role,
      handle: tenant.secret,
      name: 'news',
      teamId: tenant.workspaceId,
    });
  }
  const fixture = await fixturePosts();
  posts = new MemoryPostStore();
  await posts.save(fixture);
  core = new CommandCore({
    posts,
    index: PostIndex.build(fixture),
    subscriptions,
    feedStates: new MemoryFeedStateStore(),
    queues: queueHealth(queues, (asking) => deliveryStatusNotes(safety, ['discord', 'slack'], asking)),
    feeds: FEEDS,
    pollIntervalMs: 300_000,
    notes,
    testAnnouncer,
  });
  for (const tenant of TENANTS) await seed(tenant);
  // Five lost-access answers from server B trip Discord's platform-wide guard, with B's channel in the reason.
  const b = TENANTS[1]!;
  for (let i = 0; i < 5; i += 1)
    await safety.guard.lost(ref(b, b.channels[2]!), `50001: Missing Access in ${b.channels[2]}`, `job-${i}`);
  for (const tenant of TENANTS) replies.set(tenant.name, await runEverything(tenant));
});

afterAll(async () => {
  await Promise.all(queues.map((queue) => queue.close()));
  await slack.stop();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describe('each server and workspace sees only its own', () => {
  for (const tenant of TENANTS) {
    it(`${tenant.name}: no reply names an id, a note or a count of another tenant`, () => {
      const text = replies.get(tenant.name)!.join('\n');
      for (const other of TENANTS.filter((candidate) => candidate !== tenant)) {
        for (const id of [other.workspaceId, ...other.channels, other.role]) expect(text).not.toContain(id);
        expect(text).not.toContain(other.secret);
      }
      // Its own count only: never the other tenants' or the total.
      const counts = [...text.matchAll(/(\d+) subscribed channels?/g)].map((match) => Number(match[1]));
      expect(counts.length).toBeGreaterThan(0);
      expect(new Set(counts)).toEqual(new Set([tenant.channels.length]));
      expect(text).not.toMatch(/\d+ (waiting|active|delayed|failed)\b/);
    });
  }

  it('still shows each tenant its own subscriptions, notes, holds and pauses', () => {
    const [discordA, discordB, slackA, slackB] = TENANTS.map((tenant) => replies.get(tenant.name)![0]!);
    expect(discordB).toContain('Missing Access in 720000000000000013');
    expect(discordB).toContain('Bravoforum title');
    expect(discordA).toContain("the bot's access is being checked");
    expect(discordA).toContain('Alphaforum title');
    expect(slackA).toContain('Charlienote title');
    expect(slackB).toMatch(/T0BRAVO: cannot look before re-sending: missing_scope Deltanote/);
    for (const reply of [discordA, slackA, slackB])
      expect(reply).toMatch(/Deliveries here are held for \d+ seconds? more/);
    expect(slackB).toContain('4 subscribed channels, 1 of them disabled');
  });

  it('shows a DM (no server) only the public parts', async () => {
    const raw = psfInteraction({ subcommand: 'status' });
    delete raw.guild_id;
    delete raw.member;
    raw.user = {
      id: '730000000000000100',
      username: 'dm',
      discriminator: '0',
      global_name: null,
      avatar: null,
    };
    const invocation = invocationFromPayload(interactionPayload.parse(raw))!;
    const sent: unknown[] = [];
    await new DiscordInteractionHandler({ commands: core, deferAfterMs: 60_000 }).handle(invocation, {
      respond: async (response) => void sent.push(response),
      editOriginal: async (data) => void sent.push(data),
    });
    const text = JSON.stringify(sent);
    expect(text).toContain('Feed psf');
    expect(text).toMatch(/Deliveries: (healthy|delayed|backlog)/);
    for (const tenant of TENANTS) {
      expect(text).not.toContain(tenant.workspaceId);
      expect(text).not.toContain(tenant.secret);
    }
    expect(text).not.toMatch(/PAUSED|This server|held for/);
  });
});
