/** Where the announcer finds the bot token for a workspace. */
export interface SlackTokenSource {
  /** The bot token for the team; throws `DeliveryError.permanent('not_installed')` when there is none. */
  botToken(teamId: string): Promise<string>;
}

/** Single-workspace mode: one bot token for every channel. */
export function staticBotToken(token: string): SlackTokenSource {
  return { botToken: async () => token };
}
