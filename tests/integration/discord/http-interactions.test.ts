import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordInteractionsRouter } from '../../../adapters/discord/http-interactions.js';
import { DiscordInteractionHandler } from '../../../adapters/discord/interaction-handler.js';
import type { CommandService } from '../../../src/commands/types.js';
import type { MemorySubscriptionStore } from '../../../src/subscriptions/memory-subscription-store.js';
import { archivePosts, coreWith } from '../../fakes/discord/archive-core.js';
import { FAKE_APPLICATION_ID, FakeDiscord } from '../../fakes/discord/fake-discord.js';
import {
  CHANNEL_ID,
  GUILD_ID,
  PERMISSIONS,
  psfInteraction,
  type InteractionSpec,
} from '../../fakes/discord/interactions.js';
import { createTestSigner } from '../../fakes/discord/signing.js';
import { userInstallCases } from './user-install-cases.js';
import { followCases, followSetup } from './follow-cases.js';
import type { MemoryFollowStore } from '../../../src/subscriptions/follow-store.js';

const signer = createTestSigner();
let fake: FakeDiscord;
const servers: Server[] = [];
let url: string;
let deferringUrl: string;
let subscriptions: MemorySubscriptionStore;
let follows: MemoryFollowStore;
let release: () => void = () => {};
let gate: Promise<void> = Promise.resolve();

beforeAll(async () => {
  fake = await FakeDiscord.start();
  const following = followSetup(fake);
  follows = following.follows;
  const built = await coreWith(await archivePosts(), following);
  subscriptions = built.subscriptions;
  // `status` waits for the test to release it, so the deferred path is exercised without any clock.
  const commands: CommandService = {
    handle: async (request, context) => {
      if (request.name === 'status') await gate;
      return built.core.handle(request, context);
    },
    suggestTags: (partial, limit) => built.core.suggestTags(partial, limit),
  };
  // The main endpoint answers within the default budget; the second defers at once, to test the edit path.
  url = await listen(new DiscordInteractionHandler({ commands }));
  deferringUrl = await listen(new DiscordInteractionHandler({ commands, deferAfterMs: 1 }));
});

async function listen(handler: DiscordInteractionHandler): Promise<string> {
  const app = express();
  app.use(createDiscordInteractionsRouter({ publicKey: signer.publicKeyHex, apiUrl: fake.apiUrl, handler }));
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/discord/interactions`;
}

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await fake?.stop();
});

async function post(
  body: string,
  headers: Record<string, string>,
  to = url,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(to, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function signed(payload: unknown, to = url) {
  const body = JSON.stringify(payload);
  return post(body, signer.headers(body), to);
}

const interact = (spec: InteractionSpec) => signed(psfInteraction(spec));

describe('HTTP interactions mode: user installs', () => {
  userInstallCases(
    async (spec) => (await interact(spec)).json as never,
    () => subscriptions,
  );
});

describe('HTTP interactions mode: following a hub', () => {
  followCases(
    async (spec) => (await interact(spec)).json as never,
    () => ({ fake, follows, subscriptions }),
  );
});

describe('HTTP interactions mode', () => {
  it('answers PING with PONG', async () => {
    expect(await signed({ type: 1, id: '1', application_id: FAKE_APPLICATION_ID, token: 't' })).toEqual({
      status: 200,
      json: { type: 1 },
    });
  });

  it('rejects a bad or missing signature with 401', async () => {
    const body = JSON.stringify({ type: 1, id: '1', application_id: FAKE_APPLICATION_ID, token: 't' });
    const headers = signer.headers(body);
    expect((await post(body.replace('"t"', '"u"'), headers)).status).toBe(401);
    expect((await post(body, { 'x-signature-timestamp': headers['x-signature-timestamp'] })).status).toBe(
      401,
    );
    expect((await post(body, createTestSigner().headers(body))).status).toBe(401);
  });

  it('rejects a correctly signed request whose timestamp is ten minutes old (a replay)', async () => {
    const body = JSON.stringify({ type: 1, id: '1', application_id: FAKE_APPLICATION_ID, token: 't' });
    const tenMinutesAgo = String(Math.floor(Date.now() / 1000) - 600);
    expect((await post(body, signer.headers(body, tenMinutesAgo))).status).toBe(401);
  });

  it('answers /psf latest in the HTTP response', async () => {
    const { status, json } = await interact({
      subcommand: 'latest',
      options: [{ type: 4, name: 'count', value: 2 }],
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({ type: 4, data: { flags: 64, allowed_mentions: { parse: [] } } });
    expect((json.data as { embeds: unknown[] }).embeds).toHaveLength(2);
  });

  it('autocompletes /psf tag, then answers it', async () => {
    const choices = await interact({
      type: 4,
      subcommand: 'tag',
      options: [{ type: 3, name: 'tag', value: 'gra', focused: true }],
    });
    expect(choices.json.type).toBe(8);
    expect(
      (choices.json.data as { choices: { value: string }[] }).choices.map((choice) => choice.value),
    ).toContain('grants');
    const answer = await interact({
      subcommand: 'tag',
      options: [{ type: 3, name: 'tag', value: 'Grants' }],
    });
    expect(answer.json).toMatchObject({ type: 4, data: { flags: 64 } });
    expect((answer.json.data as { embeds: unknown[] }).embeds.length).toBeGreaterThan(0);
  });

  it('refuses subscribe without permissions and accepts it with Manage Server', async () => {
    const refused = await interact({ subcommand: 'subscribe', permissions: PERMISSIONS.none });
    expect((refused.json.data as { content: string }).content).toMatch(/^⚠️ Only members who can manage/);
    const accepted = await interact({ subcommand: 'subscribe', permissions: PERMISSIONS.manageGuild });
    expect((accepted.json.data as { content: string }).content).toMatch(/now gets/);
    expect(
      await subscriptions.get({ platform: 'discord', workspaceId: GUILD_ID, channelId: CHANNEL_ID }),
    ).not.toBeNull();
  });

  it('defers slow work and edits @original through the REST API', async () => {
    gate = new Promise((resolve) => (release = resolve));
    const payload = psfInteraction({ subcommand: 'status' });
    const edited = fake.rest.waitForRequest(
      (request) =>
        request.method === 'PATCH' &&
        request.path === `/webhooks/${FAKE_APPLICATION_ID}/${String(payload.token)}/messages/@original`,
    );
    const response = await signed(payload, deferringUrl);
    expect(response.json).toEqual({ type: 5, data: { flags: 64 } });
    release();
    const edit = await edited;
    expect(edit.body).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(edit.body).not.toHaveProperty('flags');
    expect(JSON.stringify(edit.body)).toMatch(/psf/);
  });

  it('rejects signed bodies that are not interactions', async () => {
    expect((await signed({ hello: 'world' })).status).toBe(400);
  });
});
