export { renderDiscordAnnouncement, type AnnouncementOptions } from './announcement.js';
export { DiscordAnnouncer, MAX_NONCE_LENGTH, type DiscordAnnouncerOptions } from './announcer.js';
export { DiscordClient, DISCORD_ROUTES, type DiscordClientOptions, type DiscordRouteName } from './client.js';
export { discordCommandDefinitions, registerDiscordCommands, type RegisterOptions } from './commands.js';
export { toDeliveryError, LOST_ACCESS_CODES } from './errors.js';
export { DiscordGatewayBot, type DiscordGatewayBotOptions } from './gateway-bot.js';
export {
  createDiscordInteractionsRouter,
  DISCORD_INTERACTIONS_PATH,
  type DiscordInteractionsRouterOptions,
} from './http-interactions.js';
export {
  DiscordInteractionHandler,
  DEFAULT_DEFER_AFTER_MS,
  type DiscordInteractionHandlerOptions,
  type InteractionResponder,
} from './interaction-handler.js';
export { renderDiscordReply, type DiscordReplyData } from './reply.js';
export { discordPublicKey, verifyDiscordSignature } from './signature.js';
