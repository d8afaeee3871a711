import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeDiscordRest, error, type CuedResponse } from './fake-rest.js';
import { FakeGateway } from './fake-gateway.js';
import { FAKE_APPLICATION_ID } from './wire.js';

export { FAKE_APPLICATION_ID } from './wire.js';
export const FAKE_TOKEN = 'fake-bot-token';

/**
 * A local Discord: REST under `apiUrl` (what `DISCORD_API_URL` points at) and the gateway on the same
 * port (its URL is what `GET /gateway/bot` returns). Listens on 127.0.0.1, port 0.
 */
export class FakeDiscord {
  readonly rest: FakeDiscordRest;
  readonly gateway: FakeGateway;
  private port = 0;

  private constructor(
    private readonly server: Server,
    heartbeatIntervalMs?: number,
  ) {
    this.rest = new FakeDiscordRest(() => this.gatewayUrl);
    this.gateway = new FakeGateway(server, () => this.gatewayUrl, FAKE_APPLICATION_ID, heartbeatIntervalMs);
    server.on('request', (req, res) => {
      this.rest.handle(req, res).catch((failure: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 0, message: String(failure) }));
      });
    });
  }

  /** Starts the fake on an ephemeral loopback port; a short heartbeat interval makes heartbeats testable. */
  static async start(options: { heartbeatIntervalMs?: number } = {}): Promise<FakeDiscord> {
    const server = createServer();
    const fake = new FakeDiscord(server, options.heartbeatIntervalMs);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.port = (server.address() as AddressInfo).port;
    return fake;
  }

  /** The value for `DISCORD_API_URL` / `REST({ api })`. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Cue helpers for the failures the delivery job must classify. */
  cueRateLimit(method: string, path: RegExp, retryAfterSeconds: number): void {
    const response: CuedResponse = {
      status: 429,
      headers: { 'retry-after': String(retryAfterSeconds), 'x-ratelimit-scope': 'user' },
      body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: false },
    };
    this.rest.cue(method, path, response);
  }

  cueError(method: string, path: RegExp, status: number, code: number, message = 'cued failure'): void {
    this.rest.cue(method, path, error(status, code, message));
  }

  /**
   * The server removes the bot: 403 50001 on every route of it and its channels from now on, gone from the
   * bot's guild list, and `GUILD_DELETE` (without `unavailable`) on the gateway.
   * https://discord.com/developers/docs/events/gateway-events#guild-delete
   */
  removeBotFrom(guildId: string): void {
    this.rest.guilds.remove(guildId);
    this.gateway.dispatch('GUILD_DELETE', { id: guildId });
  }

  /** The server is in an outage: `GUILD_DELETE` with `unavailable: true`; the bot is still a member. */
  guildOutage(guildId: string): void {
    this.gateway.dispatch('GUILD_DELETE', { id: guildId, unavailable: true });
  }

  async stop(): Promise<void> {
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
