/**
 * Servers (guilds) of the fake Discord and a server that removed the bot, as Discord answers then
 * (PLATFORM-NOTES §9.2): every route on the server's channels and on the server itself answers
 * 403 `{"code": 50001, "message": "Missing Access"}`, and the server is gone from `GET /users/@me/guilds`.
 * https://discord.com/developers/docs/resources/user#get-current-user-guilds
 */
import { error, ok, type CuedResponse } from './wire.js';

/** Discord's page size limit for `GET /users/@me/guilds`. */
const MAX_GUILDS_PAGE = 200;

export class FakeGuilds {
  /** Channel ids by guild id, for the guilds the bot was added to (removed ones included). */
  private readonly channels = new Map<string, Set<string>>();
  /** The guild of each channel. */
  private readonly guildOf = new Map<string, string>();
  /** Guilds that removed the bot. */
  readonly removed = new Set<string>();

  constructor(private readonly channelTypes: Map<string, number>) {}

  /** The bot is a member of `guildId`, which has these channels (text channels unless `type` says otherwise). */
  add(guildId: string, channelIds: readonly string[], type = 0): void {
    const set = this.channels.get(guildId) ?? new Set<string>();
    this.channels.set(guildId, set);
    for (const id of channelIds) {
      set.add(id);
      this.guildOf.set(id, guildId);
      if (!this.channelTypes.has(id)) this.channelTypes.set(id, type);
    }
  }

  /** The guild removed the bot (kicked or banned it). */
  remove(guildId: string): void {
    this.removed.add(guildId);
  }

  /** The guild a channel belongs to, when it was declared with `add`. */
  guild(channelId: string): string | undefined {
    return this.guildOf.get(channelId);
  }

  /** 403 50001 for any route on a removed guild or one of its channels; null otherwise. */
  refuse(path: string): CuedResponse | null {
    const channel = /^\/channels\/(\d+)(?:\/|$)/.exec(path)?.[1];
    const guild = channel ? this.guildOf.get(channel) : /^\/guilds\/(\d+)(?:\/|$)/.exec(path)?.[1];
    return guild !== undefined && this.removed.has(guild) ? error(403, 50001, 'Missing Access') : null;
  }

  /** `GET /users/@me/guilds?after=&limit=`: the bot's guilds in id order, removed ones left out. */
  list(query: URLSearchParams): CuedResponse {
    const after = BigInt(query.get('after') ?? '0');
    const limit = Math.min(MAX_GUILDS_PAGE, Number(query.get('limit') ?? String(MAX_GUILDS_PAGE)));
    const ids = [...this.channels.keys()]
      .filter((id) => !this.removed.has(id) && BigInt(id) > after)
      .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
      .slice(0, limit);
    return ok(ids.map((id) => ({ id, name: `guild ${id}`, icon: null, owner: false, permissions: '0' })));
  }
}
