import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Subscription } from '../../../src/subscriptions/subscription.js';
import type { SubscriptionStore } from '../../../src/subscriptions/subscription-store.js';

export const FIXTURE = fileURLToPath(new URL('../../fixtures/feeds/psf-blogger-atom.xml', import.meta.url));
export const GOOD = { discord: 'discord-good-token', slack: 'xoxb-good' };
export const APP_ID = '111222333';
/**
 * Slack bot tokens of older installs, with the scopes Slack lists for them in `x-oauth-scopes`: one from the
 * 7-scope install page (no history scopes), one from an app that also lacks `usergroups:read`.
 */
export const OLD_INSTALLS: Record<string, string> = {
  'xoxb-no-history':
    'commands,chat:write,chat:write.public,users:read,channels:read,groups:read,usergroups:read',
  'xoxb-no-usergroups': 'commands,chat:write,chat:write.public,users:read,channels:read,groups:read',
};
const EMPTY_RSS =
  '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://e.org/</link></channel></rss>';

/** A tiny fake of Discord's REST, Slack's Web API and a few feed URLs, all on one loopback port. */
export function fakePeers(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://fake');
  const json = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const auth = req.headers.authorization ?? '';
  if (url.pathname.startsWith('/api/v10/')) {
    if (auth !== `Bot ${GOOD.discord}`) return json(401, { message: '401: Unauthorized', code: 0 });
    // Discord decodes the path: discord.js sends `@me` as `%40me`.
    const route = decodeURIComponent(url.pathname).slice('/api/v10'.length);
    if (route === '/users/@me') return json(200, { id: APP_ID, username: 'psf-bot', bot: true });
    if (route === '/applications/@me') return json(200, { id: APP_ID, verify_key: 'ab'.repeat(32) });
    if (route === '/channels/C-visible') return json(200, { id: 'C-visible', name: 'news', guild_id: 'G1' });
    if (route === '/channels/C-hidden') return json(403, { message: 'Missing Access', code: 50001 });
    // Server G2: the bot may post and embed, but a channel overwrite takes Read Message History away, and
    // no role grants thread permissions.
    if (route === '/channels/C-threads')
      return json(200, {
        id: 'C-threads',
        name: 'pycon',
        guild_id: 'G2',
        permission_overwrites: [{ id: 'G2', type: 0, allow: '0', deny: String(1n << 16n) }],
      });
    if (route === '/guilds/G2/roles')
      return json(200, [
        { id: 'G2', permissions: String((1n << 10n) | (1n << 11n) | (1n << 16n)) },
        { id: 'R-bot', permissions: String(1n << 14n) },
      ]);
    if (route === `/guilds/G2/members/${APP_ID}`) return json(200, { roles: ['R-bot'] });
    // Server G3: the bot may do everything a plain subscription needs, but not Mention Everyone; one role
    // anyone may mention, one no one may.
    if (route === '/channels/C-pings' || route === '/channels/C-loud')
      return json(200, {
        id: route.slice('/channels/'.length),
        name: 'news',
        guild_id: 'G3',
        permission_overwrites: [],
      });
    if (route === '/channels/C-pings/messages' || route === '/channels/C-loud/messages') return json(200, []);
    if (route === '/guilds/G3/roles')
      return json(200, [
        { id: 'G3', permissions: String((1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 16n)) },
        { id: 'R-quiet', name: 'members', permissions: '0', mentionable: false },
        { id: 'R-loud', name: 'news', permissions: '0', mentionable: true },
      ]);
    if (route === `/guilds/G3/members/${APP_ID}`) return json(200, { roles: [] });
    // Visible, but without Read Message History.
    if (route === '/channels/C-visible/messages')
      return json(403, { message: 'Missing Access', code: 50001 });
    return json(404, { message: 'Unknown Channel', code: 10003 });
  }
  if (url.pathname.startsWith('/slack/api/')) {
    const scopes = OLD_INSTALLS[auth.replace(/^Bearer /, '')];
    if (auth !== `Bearer ${GOOD.slack}` && scopes === undefined)
      return json(200, { ok: false, error: 'invalid_auth' });
    const method = url.pathname.slice('/slack/api/'.length);
    if (method === 'auth.test' && scopes !== undefined) {
      res
        .writeHead(200, { 'content-type': 'application/json', 'x-oauth-scopes': scopes })
        .end(JSON.stringify({ ok: true, user: 'psf', team: 'PSF', team_id: 'T1', bot_id: 'B1' }));
      return;
    }
    if (method === 'auth.test')
      return json(200, { ok: true, user: 'psf', team: 'PSF', team_id: 'T1', bot_id: 'B1' });
    if (method === 'conversations.info') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const channel = new URLSearchParams(body).get('channel');
        if (channel === 'C-member')
          json(200, { ok: true, channel: { id: channel, name: 'general', is_member: true } });
        else if (channel === 'C-outsider')
          json(200, { ok: true, channel: { id: channel, name: 'random', is_member: false } });
        else json(200, { ok: false, error: 'channel_not_found' });
      });
      return;
    }
    return json(200, { ok: false, error: 'unknown_method' });
  }
  if (url.pathname === '/feed.xml')
    return void res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(readFileSync(FIXTURE));
  if (url.pathname === '/empty.xml')
    return void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(EMPTY_RSS);
  if (url.pathname === '/blog.html')
    return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>blog</body></html>');
  res.writeHead(404).end('not found');
}

/** A private redis-server on a unix socket, configured as the test needs. */
export async function startRedis(
  dir: string,
  name: string,
  args: string[],
): Promise<{ child: ChildProcess; path: string }> {
  const path = join(dir, `${name}.sock`);
  const child = spawn(
    'redis-server',
    [
      '--port',
      '0',
      '--unixsocket',
      path,
      '--dir',
      dir,
      '--dbfilename',
      `${name}.rdb`,
      '--appendfilename',
      `${name}.aof`,
      ...args,
    ],
    { stdio: 'ignore' },
  );
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const probe = new Redis({ path, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      return { child, path };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      probe.disconnect();
    }
  }
  throw new Error(`redis-server ${name} did not start`);
}

/** An in-memory SubscriptionStore holding fixed subscriptions (only `list` matters to the doctor). */
export function storeOf(subscriptions: Subscription[]): SubscriptionStore {
  const unused = async () => Promise.reject(new Error('not used by doctor'));
  return {
    list: async () => subscriptions,
    put: unused,
    get: unused,
    remove: unused,
    listWorkspace: unused,
    disable: unused,
    removeWorkspace: unused,
  };
}

export function subscription(
  platform: 'discord' | 'slack',
  workspaceId: string,
  channelId: string,
  disabledReason: string | null = null,
): Subscription {
  return {
    platform,
    workspaceId,
    channelId,
    feeds: [],
    tags: [],
    options: {},
    createdBy: 'U1',
    createdAt: '2026-01-01T00:00:00Z',
    disabledReason,
    disabledAt: disabledReason ? '2026-01-02T00:00:00Z' : null,
  };
}
