/**
 * The Discord REST routes the bot calls, by name: what `DiscordClient.call` (client.ts, the one call path)
 * accepts, and what its per-route tests iterate over. Add a route here before calling it.
 */
import { Routes } from 'discord.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** One REST route the bot uses: its method, the ids its path takes, and whether it sends the bot token. */
export interface DiscordRoute<P extends string = string> {
  readonly method: Method;
  readonly params: readonly P[];
  readonly path: (params: Readonly<Record<P, string>>) => `/${string}`;
  /** False for interaction routes, which are authorised by the interaction token in their path. */
  readonly bot: boolean;
}

function route<const P extends string>(
  method: Method,
  params: readonly P[],
  path: (params: Readonly<Record<P, string>>) => `/${string}`,
  bot = true,
): DiscordRoute<P> {
  return { method, params, path, bot };
}

/** Every Discord REST route the bot calls, by name. Add a route here before calling it. */
export const DISCORD_ROUTES = {
  currentUser: route('GET', [], () => Routes.user('@me')),
  currentApplication: route('GET', [], () => Routes.currentApplication()),
  listCurrentUserGuilds: route('GET', [], () => Routes.userGuilds()),
  listGuildRoles: route('GET', ['guildId'], (p) => Routes.guildRoles(p.guildId)),
  getGuildMember: route('GET', ['guildId', 'userId'], (p) => Routes.guildMember(p.guildId, p.userId)),
  getChannel: route('GET', ['channelId'], (p) => Routes.channel(p.channelId)),
  listMessages: route('GET', ['channelId'], (p) => Routes.channelMessages(p.channelId)),
  getMessage: route('GET', ['channelId', 'messageId'], (p) =>
    Routes.channelMessage(p.channelId, p.messageId),
  ),
  createMessage: route('POST', ['channelId'], (p) => Routes.channelMessages(p.channelId)),
  editMessage: route('PATCH', ['channelId', 'messageId'], (p) =>
    Routes.channelMessage(p.channelId, p.messageId),
  ),
  crosspostMessage: route('POST', ['channelId', 'messageId'], (p) =>
    Routes.channelMessageCrosspost(p.channelId, p.messageId),
  ),
  /** Makes a channel follow an announcement channel: Discord answers `{ channel_id, webhook_id }`. */
  followChannel: route('POST', ['channelId'], (p) => Routes.channelFollowers(p.channelId)),
  /** Deletes a webhook, such as the one a channel follow made (204; 10015 when it is gone). */
  deleteWebhook: route('DELETE', ['webhookId'], (p) => Routes.webhook(p.webhookId)),
  startThreadFromMessage: route('POST', ['channelId', 'messageId'], (p) =>
    Routes.threads(p.channelId, p.messageId),
  ),
  startForumThread: route('POST', ['channelId'], (p) => Routes.threads(p.channelId)),
  listActiveThreads: route('GET', ['guildId'], (p) => Routes.guildActiveThreads(p.guildId)),
  listPublicArchivedThreads: route('GET', ['channelId'], (p) => Routes.channelThreads(p.channelId, 'public')),
  putGlobalCommands: route('PUT', ['applicationId'], (p) => Routes.applicationCommands(p.applicationId)),
  putGuildCommands: route('PUT', ['applicationId', 'guildId'], (p) =>
    Routes.applicationGuildCommands(p.applicationId, p.guildId),
  ),
  interactionCallback: route(
    'POST',
    ['interactionId', 'interactionToken'],
    (p) => Routes.interactionCallback(p.interactionId, p.interactionToken),
    false,
  ),
  editOriginalResponse: route(
    'PATCH',
    ['applicationId', 'interactionToken'],
    (p) => Routes.webhookMessage(p.applicationId, p.interactionToken, '@original'),
    false,
  ),
} as const;

export type DiscordRouteName = keyof typeof DISCORD_ROUTES;

/** The ids a route's path takes, e.g. `{ channelId, messageId }` for `editMessage`. */
export type DiscordRouteParams<N extends DiscordRouteName> =
  (typeof DISCORD_ROUTES)[N] extends DiscordRoute<infer P> ? Readonly<Record<P, string>> : never;
